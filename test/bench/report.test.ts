import { renderTable } from '../../bench/report';

describe('renderTable', () => {
  it('pads every column to its widest cell, numbers to the right unless told otherwise', () => {
    const table = renderTable(['name', 'ms'], [['default', '7.1'], ['connect', '12.4']], ['left']);
    expect(table.split('\n')).toEqual(['name       ms', '-------  ----', 'default   7.1', 'connect  12.4']);
  });
});
