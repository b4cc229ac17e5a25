import { Size, SizeRoundingBehavior } from 'cdk8s';
import { BlueprintError } from '../errors';
import type { BusinessScenario } from '../scenario/business-scenario';
import { isDnsLabel } from './dns';
import { DATA_CLASS_CHOICES, DataClass, isDataClass, isTier, Tier, TIER_CHOICES } from './tier';

/**
 * The checks every component's plan makes of its props, each throwing a BlueprintError that names the construct path,
 * the prop, the bad value and what is allowed. Plain functions, so a plan can hand one on (e.g. `fail`) to a helper.
 */
export interface PropValidator {
  readonly fail: (prop: string, value: unknown, allowed: string) => never;
  /** `value`, if it is a whole number from `min` to `max` (no upper bound by default). */
  readonly wholeNumber: (prop: string, value: number, min: number, max?: number) => number;
  /** `size` in mebibytes, if it is a whole number of them and at least `min`. */
  readonly mebibytes: (prop: string, size: Size, min: number) => number;
  /** `value`, if it is an image reference: a non-empty string without white space; `example` goes in the message. */
  readonly imageReference: (prop: string, value: string, example: string) => string;
  /** Checks the construct id, which every derived name starts with: a DNS label of at most `maxLength` characters. */
  readonly dnsLabelId: (id: string, maxLength: number) => void;
}

export function propValidator(path: string): PropValidator {
  const fail = (prop: string, value: unknown, allowed: string): never => {
    throw new BlueprintError(path, prop, value, allowed);
  };
  const wholeNumber = (prop: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (!Number.isInteger(value) || value < min || value > max) {
      fail(prop, value, max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`);
    }
    return value;
  };
  const mebibytes = (prop: string, size: Size, min: number): number => {
    const value = size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    if (!Number.isInteger(value) || value < min) {
      fail(prop, `${value}Mi`, `a whole number of mebibytes, at least ${min}Mi`);
    }
    return value;
  };
  const imageReference = (prop: string, value: string, example: string): string => {
    if (typeof value !== 'string' || value.trim() === '' || /\s/.test(value)) {
      fail(prop, value, `an image reference without spaces, e.g. ${JSON.stringify(example)}`);
    }
    return value;
  };
  const dnsLabelId = (id: string, maxLength: number): void => {
    if (!isDnsLabel(id, maxLength)) {
      fail(
        'id',
        id,
        `a DNS label of at most ${maxLength} characters (lower-case letters, digits and "-", starting with a letter), so derived names stay valid`,
      );
    }
  };
  return { fail, wholeNumber, mebibytes, imageReference, dnsLabelId };
}

/** The tier (the component's own, else the scenario's) and the data class (a system of record unless said otherwise). */
export function resolveTierAndDataClass(
  validator: PropValidator,
  props: { readonly tier?: Tier; readonly dataClass?: DataClass },
  scenario: BusinessScenario,
): { readonly tier: Tier; readonly dataClass: DataClass } {
  const tier = props.tier ?? scenario.tier;
  if (!isTier(tier)) {
    validator.fail('tier', tier, `one of ${TIER_CHOICES}`);
  }
  const dataClass = props.dataClass ?? DataClass.SYSTEM_OF_RECORD;
  if (!isDataClass(dataClass)) {
    validator.fail('dataClass', dataClass, `one of ${DATA_CLASS_CHOICES}`);
  }
  return { tier, dataClass };
}
