export interface TableRow {
  name: string;
  value: string;
}

/** One clear table; wide values (setup links) stay on one line so they can be clicked or copied. */
export function printTable(title: string, rows: TableRow[], tables: string[][][] = []): void {
  const width = Math.max(...rows.map((row) => row.name.length));
  const lines = rows.map((row) => `  ${row.name.padEnd(width)}  ${row.value}`);
  console.log(`\n${title}\n${'─'.repeat(Math.min(100, title.length))}\n${lines.join('\n')}`);
  for (const table of tables) if (table.length > 0) console.log(`\n${formatColumns(table)}`);
  console.log('');
}

function formatColumns(table: string[][]): string {
  const widths = table[0].map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  return table
    .map((row, index) => {
      const line = `  ${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ')}`;
      return index === 0 ? `${line}\n  ${widths.map((w) => '─'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}
