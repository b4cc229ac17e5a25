/**
 * An error in the props of a stability-blueprints construct.
 *
 * The message names the construct path, the prop, the bad value and what is allowed, so a
 * product team can fix the call site without reading our source.
 */
export class BlueprintError extends Error {
  public readonly constructPath: string;
  public readonly prop: string;
  public readonly value: unknown;

  constructor(constructPath: string, prop: string, value: unknown, allowed: string) {
    super(`${constructPath}: invalid ${prop} ${formatValue(value)}: ${allowed}`);
    this.name = 'BlueprintError';
    this.constructPath = constructPath;
    this.prop = prop;
    this.value = value;
  }
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
