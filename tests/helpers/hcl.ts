import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';

/** One Terraform block as hcl2json renders it: attributes as values, nested blocks as arrays. */
export type HclBlock = Record<string, unknown>;

/** The .tf files of one folder merged: `resource.<type>.<name>`, `variable.<name>`, `module.<name>`, … */
export interface TerraformModule {
  dir: string;
  files: string[];
  resource: Record<string, Record<string, HclBlock>>;
  data: Record<string, Record<string, HclBlock>>;
  variable: Record<string, HclBlock>;
  output: Record<string, HclBlock>;
  module: Record<string, HclBlock>;
  locals: HclBlock;
  terraform: HclBlock[];
}

function first(value: unknown): HclBlock {
  return (Array.isArray(value) ? value[0] : value) as HclBlock;
}

/** Parses every .tf file of a folder with the HCL parser and merges them into one view. */
export async function loadTerraformModule(dir: string): Promise<TerraformModule> {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.tf'))
    .sort();
  const merged: TerraformModule = {
    dir,
    files,
    resource: {},
    data: {},
    variable: {},
    output: {},
    module: {},
    locals: {},
    terraform: [],
  };
  for (const file of files) {
    const json = (await parse(file, readFileSync(path.join(dir, file), 'utf8'))) as Record<string, unknown>;
    for (const kind of ['resource', 'data'] as const) {
      const byType = (json[kind] ?? {}) as Record<string, Record<string, unknown>>;
      for (const [type, byName] of Object.entries(byType)) {
        merged[kind][type] ??= {};
        for (const [name, block] of Object.entries(byName)) merged[kind][type][name] = first(block);
      }
    }
    for (const kind of ['variable', 'output', 'module'] as const) {
      for (const [name, block] of Object.entries((json[kind] ?? {}) as Record<string, unknown>)) {
        merged[kind][name] = first(block);
      }
    }
    for (const block of (json.locals ?? []) as HclBlock[]) Object.assign(merged.locals, block);
    merged.terraform.push(...((json.terraform ?? []) as HclBlock[]));
  }
  return merged;
}

/** A nested block (hcl2json keeps them as one-element arrays), or undefined. */
export function block(parent: unknown, name: string): HclBlock | undefined {
  const value = (parent as HclBlock | undefined)?.[name];
  return Array.isArray(value) ? (value[0] as HclBlock | undefined) : (value as HclBlock | undefined);
}

/** Every instance of a repeatable nested block. */
export function blocks(parent: unknown, name: string): HclBlock[] {
  const value = (parent as HclBlock | undefined)?.[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as HclBlock[];
}

/** A resource that must exist; throws naming it otherwise. */
export function resource(module: TerraformModule, type: string, name = 'this'): HclBlock {
  const found = module.resource[type]?.[name];
  if (!found) throw new Error(`${module.dir}: resource ${type}.${name} not found`);
  return found;
}
