import winston from 'winston';
import { currentRequestId } from './request-context.js';

export type Logger = winston.Logger;

export interface LoggerOptions {
  level: string;
  /** JSON lines in production, readable colourised lines otherwise. */
  json: boolean;
  filePath?: string;
}

const addRequestId = winston.format((info) => {
  const requestId = currentRequestId();
  if (requestId !== undefined && info.requestId === undefined) info.requestId = requestId;
  return info;
});

const readable = winston.format.printf((info) => {
  const { level, message, timestamp, requestId, ...rest } = info;
  const id = typeof requestId === 'string' ? ` [${requestId}]` : '';
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${String(timestamp)} ${level}${id} ${String(message)}${extra}`;
});

/** The one logger of the process; every line carries the current request id when there is one. */
export function createLogger(options: LoggerOptions): Logger {
  const silent = options.level === 'silent';
  const base = winston.format.combine(
    addRequestId(),
    winston.format.timestamp(),
    winston.format.errors({ stack: true }),
  );
  const transports: winston.transport[] = [
    new winston.transports.Console({
      format: options.json
        ? winston.format.combine(base, winston.format.json())
        : winston.format.combine(base, winston.format.colorize(), readable),
    }),
  ];
  if (options.filePath !== undefined) {
    transports.push(
      new winston.transports.File({
        filename: options.filePath,
        format: winston.format.combine(base, winston.format.json()),
      }),
    );
  }
  return winston.createLogger({ level: silent ? 'error' : options.level, silent, transports });
}
