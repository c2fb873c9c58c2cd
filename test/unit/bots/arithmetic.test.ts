import { ArithmeticError, calculatorAnswer, evaluate, formatResult, looksLikeArithmetic } from '../../../bots/calculator/arithmetic';

describe('evaluate', () => {
  it.each([
    ['2+3*4', 14],
    ['(2+3)*4', 20],
    ['10 / 4', 2.5],
    ['2^3^2', 512],
    ['-3 + 5', 2],
    ['--3', 3],
    ['-(2+1)*2', -6],
    ['.5 + 1.25', 1.75],
    ['7 - 2 - 1', 4],
    ['12 / 3 / 2', 2],
    ['3 x 4', 12],
    ['8 ÷ 2', 4],
  ])('computes %s = %d with the usual precedence', (text, expected) => {
    expect(evaluate(text)).toBe(expected);
  });

  it.each([
    ['', 'unexpected end'],
    ['2+', 'unexpected end'],
    ['(1+2', 'missing )'],
    ['1+2)', 'unexpected ")"'],
    ['2 ** 3', 'unexpected "*"'],
    ['1/0', 'division by zero'],
    ['hello', 'unexpected "h"'],
    ['process.exit()', 'unexpected "p"'],
    ['10^400', 'result is not a finite number'],
  ])('refuses %j (%s)', (text, reason) => {
    expect(() => evaluate(text)).toThrow(new ArithmeticError(reason));
  });

  it('refuses input longer than 200 characters and nesting deeper than 50', () => {
    expect(() => evaluate('1+'.repeat(101) + '1')).toThrow('expression too long');
    expect(() => evaluate('('.repeat(60) + '1' + ')'.repeat(60))).toThrow('too deeply nested');
  });
});

describe('calculatorAnswer', () => {
  it('answers the result alone, or ? when it cannot parse the text', () => {
    expect(calculatorAnswer('2+3*4')).toBe('14');
    expect(calculatorAnswer('1/3')).toBe('0.3333333333');
    expect(calculatorAnswer('what is 2+2')).toBe('?');
  });

  it('formats integers plainly and trims float noise', () => {
    expect(formatResult(0.1 + 0.2)).toBe('0.3');
    expect(formatResult(-7)).toBe('-7');
  });
});

describe('looksLikeArithmetic', () => {
  it('accepts digits with operators and refuses words', () => {
    expect(looksLikeArithmetic('2+3*4')).toBe(true);
    expect(looksLikeArithmetic(' (1 + 2) / 3 ')).toBe(true);
    expect(looksLikeArithmetic('hello')).toBe(false);
    expect(looksLikeArithmetic('+-*')).toBe(false);
    expect(looksLikeArithmetic('call me at 5')).toBe(false);
  });
});
