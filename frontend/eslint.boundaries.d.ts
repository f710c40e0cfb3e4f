import type { Linter } from 'eslint';

export declare const frontendBoundaries: Linter.Config[];
