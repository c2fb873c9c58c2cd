import { parseManagerCommand, type ManagerCommand } from '../../../lambdas/core/manager-command';

const NOTHING: ManagerCommand = { bots: [], overrides: {}, selfApprove: false, selfRedirect: false, warnings: [] };

const parse = (command: unknown) => parseManagerCommand(JSON.stringify(command));

describe('parseManagerCommand', () => {
  it.each([['absent', undefined], ['empty', ''], ['blank', '   ']])('does nothing, silently, when the command is %s', (_label, command) => {
    expect(parseManagerCommand(command)).toEqual(NOTHING);
  });

  it('reads an approval', () => {
    expect(parse({ action: 'approve' })).toEqual({ ...NOTHING, action: 'approve' });
  });

  it('reads a redirect with its bots and overrides', () => {
    expect(parse({ action: 'redirect', bots: ['Echo', '0b7c5a8e-1111-4222-8333-444455556666'], overrides: { text: 'x' } })).toEqual({
      ...NOTHING,
      action: 'redirect',
      bots: ['Echo', '0b7c5a8e-1111-4222-8333-444455556666'],
      overrides: { text: 'x' },
    });
  });

  it('reads self_approve', () => {
    expect(parse({ self_approve: true })).toEqual({ ...NOTHING, selfApprove: true });
  });

  it('reads self_redirect with bots', () => {
    expect(parse({ self_redirect: true, bots: ['Calculator'] })).toEqual({
      ...NOTHING,
      selfRedirect: true,
      bots: ['Calculator'],
    });
  });

  it('reads on_behalf_of', () => {
    expect(parse({ on_behalf_of: 'participant-1', self_approve: true })).toEqual({
      ...NOTHING,
      onBehalfOf: 'participant-1',
      selfApprove: true,
    });
  });

  it('takes only the boolean true as self_approve and self_redirect', () => {
    const command = parse({ self_approve: 'true', self_redirect: 1, bots: ['Echo'] });
    expect(command.selfApprove).toBe(false);
    expect(command.selfRedirect).toBe(false);
  });

  it('ignores an empty action without a warning', () => {
    expect(parse({ action: '', self_approve: true })).toEqual({ ...NOTHING, selfApprove: true });
  });

  it('ignores keys it does not know', () => {
    expect(parse({ action: 'approve', colour: 'blue' })).toEqual({ ...NOTHING, action: 'approve' });
  });

  it('warns when the command is not valid JSON, and applies nothing', () => {
    expect(parseManagerCommand('{"action": "approve"')).toEqual({ ...NOTHING, warnings: ['command is not valid JSON'] });
  });

  it.each([['a list', '["approve"]'], ['null', 'null'], ['a string', '"approve"'], ['a number', '2']])(
    'warns when the command is %s, not a JSON object, and applies nothing',
    (_label, command) => {
      expect(parseManagerCommand(command)).toEqual({ ...NOTHING, warnings: ['command is not a JSON object'] });
    },
  );

  it.each([['an unknown word', 'delete'], ['a different case', 'APPROVE'], ['a number', 1], ['null', null]])(
    'warns about an action that is %s and leaves the action unset',
    (_label, action) => {
      const command = parse({ action, self_approve: true });
      expect(command.action).toBeUndefined();
      expect(command.warnings).toEqual([`unknown action ${JSON.stringify(action)}`]);
      expect(command.selfApprove).toBe(true);
    },
  );

  it.each([
    ['not a list', 'Echo'],
    ['a list with an empty name', ['Echo', '']],
    ['a list with a number', ['Echo', 3]],
    ['null', null],
  ])('warns about bots that are %s, keeps none of them, and still applies the rest', (_label, bots) => {
    const command = parse({ action: 'approve', bots, overrides: { text: 'y' }, self_approve: true, on_behalf_of: 'p1' });
    expect(command.bots).toEqual([]);
    expect(command.warnings).toEqual(['bots must be a list of bot names or participant ids']);
    expect(command.action).toBe('approve');
    expect(command.overrides).toEqual({ text: 'y' });
    expect(command.selfApprove).toBe(true);
    expect(command.onBehalfOf).toBe('p1');
  });

  it.each([['a list', ['text']], ['null', null], ['a string', 'text=x'], ['a number', 1]])(
    'warns about overrides that are %s, keeps none, and still applies the rest',
    (_label, overrides) => {
      const command = parse({ action: 'redirect', bots: ['Echo'], overrides });
      expect(command.overrides).toEqual({});
      expect(command.warnings).toEqual(['overrides must be an object']);
      expect(command.action).toBe('redirect');
      expect(command.bots).toEqual(['Echo']);
    },
  );

  it.each([['empty', ''], ['a number', 7], ['null', null]])(
    'warns about an on_behalf_of that is %s and leaves it unset',
    (_label, onBehalfOf) => {
      const command = parse({ on_behalf_of: onBehalfOf, self_approve: true });
      expect(command.onBehalfOf).toBeUndefined();
      expect(command.warnings).toEqual(['on_behalf_of must be a participant id']);
      expect(command.selfApprove).toBe(true);
    },
  );

  it('warns that a redirect without bots delivers nothing', () => {
    const command = parse({ action: 'redirect' });
    expect(command.action).toBe('redirect');
    expect(command.warnings).toEqual(['redirect without bots delivers nothing']);
  });

  it('warns that a self_redirect without bots delivers nothing', () => {
    const command = parse({ self_redirect: true, bots: [] });
    expect(command.selfRedirect).toBe(true);
    expect(command.warnings).toEqual(['redirect without bots delivers nothing']);
  });

  it('also warns that the redirect delivers nothing when its bots were refused', () => {
    expect(parse({ action: 'redirect', bots: 'Echo' }).warnings).toEqual([
      'bots must be a list of bot names or participant ids',
      'redirect without bots delivers nothing',
    ]);
  });

  it('collects every warning of a command with several bad parts', () => {
    expect(parse({ action: 'nuke', bots: [1], overrides: [], on_behalf_of: 2 }).warnings).toEqual([
      'unknown action "nuke"',
      'bots must be a list of bot names or participant ids',
      'overrides must be an object',
      'on_behalf_of must be a participant id',
    ]);
  });
});
