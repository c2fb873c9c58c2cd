/**
 * Route selection expressions (DG websocket-api-develop-routes, apigateway-websocket-api-selection-expressions):
 * `$request.body.action`, `${request.body.a.b}`, several variables with static text, static text, `\$default`.
 * A JSONPath that finds nothing resolves to `""`; non-scalar results are stringified (`[item1, item2]`).
 */

export const DEFAULT_ROUTE_SELECTION_EXPRESSION = '$request.body.action';
export const DEFAULT_ROUTE_KEY = '$default';

type PathSegment = string | number;
type Part = { literal: string } | { path: PathSegment[] };

/** Evaluates the expression against a message already parsed as JSON. */
export type RouteSelectionEvaluator = (body: unknown) => string;

const BODY_VARIABLE = 'request.body';
/** An unwrapped `$request.body…` ends where JSONPath characters end. */
const UNWRAPPED_PATH = /^(?:\.[A-Za-z0-9_]+|\[\d+\]|\['[^']*'\]|\["[^"]*"\])*/;

export class InvalidRouteSelectionExpression extends Error {
  constructor(expression: string, detail: string) {
    super(`invalid route selection expression ${JSON.stringify(expression)}: ${detail}`);
    this.name = 'InvalidRouteSelectionExpression';
  }
}

/** Parses the expression once, at gateway start, so a bad one fails early. */
export function compileRouteSelectionExpression(expression: string): RouteSelectionEvaluator {
  const parts = parseExpression(expression);
  return (body) => parts.map((part) => ('literal' in part ? part.literal : stringify(resolve(body, part.path)))).join('');
}

function parseExpression(expression: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  const flush = () => {
    if (literal) parts.push({ literal });
    literal = '';
  };
  while (i < expression.length) {
    const char = expression[i]!;
    if (char === '\\' && expression[i + 1] === '$') {
      literal += '$';
      i += 2;
    } else if (char === '$' && expression[i + 1] === '{') {
      const end = expression.indexOf('}', i);
      if (end === -1) throw new InvalidRouteSelectionExpression(expression, 'unclosed ${');
      flush();
      parts.push({ path: parseBodyPath(expression, expression.slice(i + 2, end)) });
      i = end + 1;
    } else if (char === '$') {
      const rest = expression.slice(i + 1);
      if (!rest.startsWith(BODY_VARIABLE)) {
        throw new InvalidRouteSelectionExpression(expression, 'only $request.body variables are supported');
      }
      const path = UNWRAPPED_PATH.exec(rest.slice(BODY_VARIABLE.length))![0];
      flush();
      parts.push({ path: parseBodyPath(expression, BODY_VARIABLE + path) });
      i += 1 + BODY_VARIABLE.length + path.length;
    } else {
      literal += char;
      i += 1;
    }
  }
  flush();
  return parts;
}

/** `request.body.a['b c'][0]` → `['a', 'b c', 0]`. */
function parseBodyPath(expression: string, variable: string): PathSegment[] {
  if (!variable.startsWith(BODY_VARIABLE)) {
    throw new InvalidRouteSelectionExpression(expression, `unsupported variable ${variable}`);
  }
  const segments: PathSegment[] = [];
  const path = variable.slice(BODY_VARIABLE.length);
  const segment = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let match: RegExpExecArray | null;
  while (segment.lastIndex < path.length && (match = segment.exec(path))) {
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(match[1] ?? match[3] ?? match[4]!);
  }
  if (segment.lastIndex !== path.length) {
    throw new InvalidRouteSelectionExpression(expression, `unsupported JSONPath ${JSON.stringify(path)}`);
  }
  return segments;
}

function resolve(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof key === 'number' && !Array.isArray(current)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/**
 * Scalars as text; arrays as `[item1, item2]` (the documented example). Objects as `{a=1, b=2}` is
 * inferred from that Java-style list format; a null or missing value resolves to `""`.
 */
function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return `[${value.map(stringify).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `${key}=${stringify(item)}`)
      .join(', ')}}`;
  }
  return String(value);
}

export interface RouteTable {
  /** Custom route keys (never starting with `$`). */
  customRouteKeys: ReadonlySet<string>;
  hasDefaultRoute: boolean;
}

/**
 * The route key a text message goes to, or `undefined` when nothing matches and there is no `$default`
 * route (the client then gets a "Forbidden" frame). Non-JSON messages always go to `$default`.
 */
export function selectRoute(body: string, evaluate: RouteSelectionEvaluator, table: RouteTable): string | undefined {
  const fallback = table.hasDefaultRoute ? DEFAULT_ROUTE_KEY : undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return fallback;
  }
  const key = evaluate(parsed);
  return table.customRouteKeys.has(key) ? key : fallback;
}
