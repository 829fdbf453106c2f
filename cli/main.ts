#!/usr/bin/env node
/**
 * The `awaitwhat` command line: `view` a dump, `dump` a running process, `run` a program with
 * the register preloaded, or try the bundled `demo`.
 *
 * Error contract: every failure prints exactly one line, `awaitwhat: <message>`, on stderr and
 * exits with 1 (2 for a wrong command line). No stack traces, no help dump: users asked for
 * an answer, not for yargs' usage text; the line points at `--help` instead.
 *
 * @packageDocumentation
 */

import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError } from '../src/errors.js';
import { writeOutputFile } from '../src/internal/atomic-write.js';
import { terminalSafe } from '../src/internal/terminal-text.js';
import { dumpWrittenLine } from '../src/internal/protocol-strings.js';
import { VERSION } from '../src/internal/version.js';
import type { Dump } from '../src/model.js';
import { captureStuckProgram } from './capture.js';
import { runDiff } from './diff.js';
import { DEFAULT_DUMP_TIMEOUT_MS, dumpPid, parsePid } from './dump-pid.js';
import { untilInterrupted } from './interrupt.js';
import { readDumpFile } from './read-dump.js';
import { ONLY_CHOICES, type ChainFilter } from '../src/serialize/tree-filter.js';
import { autoColor, chainFilter, chooseFormat, FORMATS, renderDump, treeWidth, type Format } from './render.js';
import { runWithRegister } from './run.js';

/** Exit code for failures of the work itself (unreadable dump, render failure…). */
const EXIT_FAILURE = 1;
/** Exit code for a wrong command line, as most Unix tools do. */
const EXIT_USAGE = 2;

/**
 * Prints or writes rendered output; files are written atomically, never half; devices, FIFOs
 * and symbolic links are written through (see writeOutputFile).
 */
async function emit(
  dump: Dump,
  format: Format,
  output: string | undefined,
  color: boolean | undefined,
  filter?: ChainFilter,
  tree: { internals?: boolean | undefined; width?: number | undefined } = {},
): Promise<void> {
  const width = treeWidth(output === undefined ? process.stdout : undefined, tree.width);
  const layout = { ...(width !== undefined ? { width } : {}), internals: tree.internals === true };
  if (output !== undefined) {
    writeOutputFile(output, await renderDump(dump, format, color ?? false, filter, layout), 0o644);
    return;
  }
  const text = await renderDump(dump, format, color ?? (format === 'tree' && autoColor(process.stdout)), filter, layout);
  process.stdout.write(text);
}

/** The one line on stderr, and the exit code. */
function report(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split(/\r?\n/, 1)[0] ?? message;
  // Messages quote paths, dump contents and the program's text: shown with visible escapes.
  process.stderr.write(`awaitwhat: ${terminalSafe(firstLine)}\n`);
  process.exitCode = error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}

/** Turns yargs' validation messages ("Unknown argument: x") into a UsageError with a pointer. */
function usageError(message: string): UsageError {
  const text = message.replace(/\s+/g, ' ').trim();
  const lowered = text.charAt(0).toLowerCase() + text.slice(1);
  return new UsageError(`${lowered} (see awaitwhat --help)`);
}

const outputOptions = {
  format: {
    alias: 'f',
    choices: FORMATS,
    defaultDescription: 'tree',
    describe: 'Output format',
  },
  json: {
    type: 'boolean',
    describe: 'Same as --format json',
  },
  output: {
    alias: 'o',
    type: 'string',
    describe: 'Write to this file (atomically) instead of stdout',
  },
  color: {
    type: 'boolean',
    describe: 'Colour the tree (default: on for a terminal unless NO_COLOR is set, or if FORCE_COLOR is)',
  },
  internals: {
    type: 'boolean',
    describe: "Draw every frame of Node.js and node_modules in the tree (default: runs of them folded)",
  },
  width: {
    type: 'number',
    describe: "Fit the tree in this many columns, 0 for no limit (default: the terminal's width, else 80)",
  },
} as const;

/** The chain filters of `view` (docs/cli.md, src/serialize/tree-filter.ts). */
const filterOptions = {
  grep: {
    type: 'string',
    describe: 'Only the chains through a node whose name, location or leaf matches (text, or /regexp/flags)',
  },
  'min-wait': {
    type: 'string',
    describe: 'Only the chains whose root has waited at least this long (500, 500ms, 5s, 2m)',
  },
  only: {
    choices: ONLY_CHOICES,
    describe: 'Only the chains ending stuck (never-settling leaf or cycle), or reaching a cycle; orphans: no chain, only the open HTTP requests no task waits for',
  },
} as const;

/** Builds the parser with the three commands and the one-line error contract. */
function cli(argv: string[]) {
  return yargs(argv)
    .scriptName('awaitwhat')
    .usage('$0 <command> [options]\n\n"await, what?": what is a stuck Node.js process waiting for?')
    .parserConfiguration({ 'populate--': true })
    .command(
      'view <dump>',
      'Show a dump file as a tree, JSON, Graphviz DOT, SVG or an HTML report',
      (y) =>
        y
          .positional('dump', { type: 'string', demandOption: true, describe: 'Path of an awaitwhat-*.json dump' })
          .options(outputOptions)
          .options(filterOptions)
          .example('$0 view awaitwhat-4242-20251125-100244-007.json', 'print the wait-for tree')
          .example('$0 view dump.json --grep /db\\.query/ --min-wait 5s', 'only the chains through db.query, waiting 5s or more')
          .example('$0 view dump.json -f svg -o graph.svg', 'draw the graph')
          .example('$0 view dump.json -f html -o report.html', 'an offline page to explore it in a browser'),
      async (args) => {
        const format = chooseFormat(args.format, args.json);
        // Options first: a wrong command line is reported before the file is read.
        const filter = chainFilter(args, format);
        const dump = readDumpFile(args.dump);
        await emit(dump, format, args.output, args.color, filter, args);
      },
    )
    .command(
      'run [command..]',
      'Run a command with the awaitwhat register preloaded (send it SIGUSR2 to get a dump)',
      (y) =>
        y
          .positional('command', { type: 'string', array: true, describe: 'Program and arguments (after --)' })
          .option('dir', { alias: 'd', type: 'string', describe: 'Directory dumps are written to (AWAITWHAT_DIR)' })
          .example('$0 run -- node server.js', 'then: kill -USR2 <pid>')
          .example('$0 run --dir /tmp/dumps -- npm start', ''),
      async (args) => {
        // With populate--, yargs puts everything after `--` here, untouched by option parsing.
        const dashDash = (args as { '--'?: unknown[] })['--'] ?? [];
        const rest = dashDash.map(String);
        const command = [...(args.command ?? []).map(String), ...rest];
        process.exitCode = await runWithRegister(command, args.dir);
      },
    )
    .command(
      'dump <pid>',
      'Dump the wait-for graph of a running Node.js process (through its register, else its inspector)',
      (y) =>
        y
          .positional('pid', { type: 'string', demandOption: true, describe: 'Process id of the target' })
          .options(outputOptions)
          .option('timeout', {
            type: 'number',
            default: DEFAULT_DUMP_TIMEOUT_MS,
            describe: 'How long to wait for the dump, in ms',
          })
          .option('attach', {
            type: 'boolean',
            default: false,
            describe: "Attach through the target's inspector (SIGUSR1) even if it runs the register",
          })
          .option('force-signal', {
            type: 'boolean',
            default: false,
            describe: 'Send SIGUSR2 without confirming the register (needed off Linux)',
          })
          .option('dir', {
            alias: 'd',
            type: 'string',
            describe: "Directory the target writes dumps to (default: its AWAITWHAT_DIR, else its cwd)",
          })
          .option('port', {
            type: 'number',
            describe: "The target's inspector port, for attach mode (default: its --inspect-port, else 9229)",
          })
          .example('$0 dump 4242', 'print what pid 4242 is waiting for')
          .example('$0 dump 4242 -f svg -o graph.svg', ''),
      async (args) => {
        const pid = parsePid(args.pid);
        const timeoutMs = args.timeout;
        if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
          throw new UsageError(`--timeout must be a positive number of ms, got ${String(timeoutMs)} (see awaitwhat --help)`);
        }
        const port = args.port;
        if (port !== undefined && !(Number.isInteger(port) && port > 0 && port <= 65535)) {
          throw new UsageError(`--port must be a TCP port (1-65535), got ${String(port)} (see awaitwhat --help)`);
        }
        const result = await untilInterrupted((signal) =>
          dumpPid(pid, {
            timeoutMs,
            attach: args.attach,
            forceSignal: args['force-signal'],
            signal,
            ...(args.dir !== undefined ? { dir: args.dir } : {}),
            ...(port !== undefined ? { port } : {}),
          }),
        );
        if (result.path !== undefined) process.stderr.write(`${dumpWrittenLine(terminalSafe(result.path))}\n`);
        await emit(result.dump, chooseFormat(args.format, args.json), args.output, args.color, undefined, args);
      },
    )
    .command(
      'diff <before> <after>',
      'Compare two dumps of one process: which tasks finished, which are new, which still wait at the same await',
      (y) =>
        y
          .positional('before', { type: 'string', demandOption: true, describe: 'The earlier dump' })
          .positional('after', { type: 'string', demandOption: true, describe: 'The later dump of the same process' })
          .options({
            json: { type: 'boolean', describe: 'Write the comparison as JSON' },
            output: outputOptions.output,
            color: { type: 'boolean', describe: 'Colour the text (default: as for view)' },
            width: outputOptions.width,
          })
          .example('$0 diff first.json second.json', 'stuck, or just slow?'),
      (args) => runDiff(args),
    )
    .command(
      'demo',
      'Run the bundled stuck demo (fixtures/demo.mjs), dump it and show the result',
      (y) => y.options(outputOptions).example('$0 demo', '').example('$0 demo -f svg -o demo.svg', ''),
      async (args) => {
        const root = fileURLToPath(new URL('../../', import.meta.url));
        const { dump } = await captureStuckProgram({ script: 'fixtures/demo.mjs', cwd: root });
        await emit(dump, chooseFormat(args.format, args.json), args.output, args.color, undefined, args);
      },
    )
    .demandCommand(1, 'no command given: use view, dump, diff, run or demo')
    .recommendCommands()
    .strict()
    .version(VERSION)
    .help()
    .alias('help', 'h')
    .showHelpOnFail(false)
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .fail((message, error) => {
      // Throwing hands the problem to parseAsync's rejection, where report() handles it once.
      if (error) throw error;
      // yargs' suggestion alone ("Did you mean view?") does not say what was typed.
      const suggestion = /^Did you mean (.+)\?$/.exec(message ?? '');
      const typed = argv.find((arg) => !arg.startsWith('-'));
      if (suggestion && typed !== undefined) throw usageError(`unknown command "${typed}": did you mean ${suggestion[1]}?`);
      throw usageError(message ?? 'invalid command line');
    });
}

async function main(): Promise<void> {
  try {
    await cli(hideBin(process.argv)).parseAsync();
  } catch (error) {
    report(error);
  }
}

await main();
