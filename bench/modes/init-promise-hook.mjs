// Mode "init-hook" (optional): a single empty `init` promise hook, i.e.
// `v8.promiseHooks.onInit(() => {})`. awaitwhat's default register installs only
// an init hook, so this is the tightest floor for it; the standard floor
// (`empty-hooks`) has all four callbacks and costs more.
import { promiseHooks } from 'node:v8';

promiseHooks.onInit(() => {});
