import type { CliCommand } from '../command';
import { bestOfNCommand } from './bestOfN';
import { compareCommand } from './compare';
import { convertRmCommand } from './convertRm';
import { evaluateCommand } from './evaluate';
import { generateCommand } from './generate';
import { makeTinyModelCommand } from './makeTinyModel';
import { serveCommand } from './serve';

/** Every subcommand, in the order `janus --help` lists them. */
export const commands: readonly CliCommand[] = [serveCommand, makeTinyModelCommand, convertRmCommand, bestOfNCommand, generateCommand, evaluateCommand, compareCommand];
