// An empty preload: the control for what `--import` itself changes (compare.ts).
