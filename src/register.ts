/**
 * `node --import awaitwhat/register app.js`: records waits from the start and dumps the
 * wait-for graph on `kill -USR2 <pid>`.
 *
 * Environment:
 * - `AWAITWHAT_DIR`: where dumps are written (default: the current directory);
 * - `AWAITWHAT_STACKS=1`: capture a creation stack for every promise (slow; development only).
 *
 * @packageDocumentation
 */
import { installHooks } from './hooks/install.js';
import { installSignalTrigger } from './triggers/signal.js';

const truthy = (value: string | undefined): boolean => value !== undefined && /^(1|true|yes|on)$/i.test(value);

installHooks({ creationStacks: truthy(process.env.AWAITWHAT_STACKS) });
installSignalTrigger();
