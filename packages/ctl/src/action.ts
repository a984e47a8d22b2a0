import type { Command } from 'commander';
import { type Context, createContext, type Io } from './context.ts';

/**
 * A command's action as commander calls it (its arguments, then its options, then itself), given
 * the context it runs in instead.
 */
export function action<O>(
  io: Io,
  run: (ctx: Context, args: string[], opts: O) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const command = args.at(-1) as Command;
    const opts = args.at(-2) as O;
    await run(createContext(io, command), args.slice(0, -2) as string[], opts);
  };
}
