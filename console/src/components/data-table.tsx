/**
 * A table with its caption and one row of column headings (th scope="col");
 * its rows are the children. With `csv` (the same rows as a CsvTable, built
 * from the API's answer) a "Download CSV" button follows it.
 */
import type { ComponentChildren } from 'preact';
import type { CsvTable } from '../../../functions/core/csv';
import { CsvButton } from './csv-button';

interface DataTableProps {
  class: string;
  caption: ComponentChildren;
  columns: readonly string[];
  children: ComponentChildren;
  /** The table's rows as the download holds them; its file is `<csvFile>-<date>.csv` (default `report-<name>`). */
  csv?: CsvTable;
  csvFile?: string;
}

export function DataTable({ class: className, caption, columns, children, csv, csvFile }: DataTableProps) {
  const table = (
    <table class={className}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
  if (csv === undefined) return table;
  return (
    <div class="table-with-csv">
      {table}
      <CsvButton table={csv} file={csvFile ?? `report-${csv.name}`} what={typeof caption === 'string' ? caption : csv.name} />
    </div>
  );
}
