/**
 * A safe arithmetic evaluator for the Calculator bot: a recursive-descent parser over numbers,
 * `+ - * / ^`, parentheses and unary signs. No `eval`, no identifiers, bounded input.
 *
 *   expression := term (('+' | '-') term)*
 *   term       := power (('*' | '/') power)*
 *   power      := unary ('^' power)?          (right-associative)
 *   unary      := ('+' | '-') unary | primary
 *   primary    := number | '(' expression ')'
 */

/** Longer input is not arithmetic anyone types. */
export const MAX_EXPRESSION_CHARS = 200;
/** Deeper nesting is refused before it can exhaust the stack. */
const MAX_DEPTH = 50;

export class ArithmeticError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArithmeticError';
  }
}

/** True when the text looks like arithmetic (digits and operators only, at least one digit). */
export function looksLikeArithmetic(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.length > 0 && trimmed.length <= MAX_EXPRESSION_CHARS && /\d/.test(trimmed) && /^[\d\s.+\-*/^()x×÷]+$/.test(trimmed);
}

export function evaluate(text: string): number {
  if (text.length > MAX_EXPRESSION_CHARS) throw new ArithmeticError('expression too long');
  const source = text.replace(/[x×]/g, '*').replace(/÷/g, '/');
  let position = 0;
  let depth = 0;

  const skipSpaces = () => {
    while (source[position] === ' ' || source[position] === '\t') position++;
  };
  const peek = () => {
    skipSpaces();
    return source[position];
  };

  const expression = (): number => {
    let value = term();
    for (let op = peek(); op === '+' || op === '-'; op = peek()) {
      position++;
      value = op === '+' ? value + term() : value - term();
    }
    return value;
  };
  const term = (): number => {
    let value = power();
    for (let op = peek(); op === '*' || op === '/'; op = peek()) {
      position++;
      const right = power();
      if (op === '/' && right === 0) throw new ArithmeticError('division by zero');
      value = op === '*' ? value * right : value / right;
    }
    return value;
  };
  const power = (): number => {
    const base = unary();
    if (peek() !== '^') return base;
    position++;
    return base ** power();
  };
  const unary = (): number => {
    const op = peek();
    if (op === '+' || op === '-') {
      position++;
      if (++depth > MAX_DEPTH) throw new ArithmeticError('too deeply nested');
      const value = unary();
      depth--;
      return op === '-' ? -value : value;
    }
    return primary();
  };
  const primary = (): number => {
    const next = peek();
    if (next === '(') {
      position++;
      if (++depth > MAX_DEPTH) throw new ArithmeticError('too deeply nested');
      const value = expression();
      depth--;
      if (peek() !== ')') throw new ArithmeticError('missing )');
      position++;
      return value;
    }
    const match = /^(\d+(\.\d*)?|\.\d+)/.exec(source.slice(position));
    if (!match) throw new ArithmeticError(`unexpected ${next === undefined ? 'end' : `"${next}"`}`);
    position += match[0].length;
    return Number(match[0]);
  };

  const value = expression();
  if (peek() !== undefined) throw new ArithmeticError(`unexpected "${source[position]}"`);
  if (!Number.isFinite(value)) throw new ArithmeticError('result is not a finite number');
  return value;
}

/** `14`, `0.3333333333`, `-2.5`: integers as they are, others with at most 10 decimals. */
export function formatResult(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(10)));
}

/** What the Calculator answers: the result, or `?` when it cannot parse the text. */
export function calculatorAnswer(text: string): string {
  try {
    return formatResult(evaluate(text));
  } catch {
    return '?';
  }
}
