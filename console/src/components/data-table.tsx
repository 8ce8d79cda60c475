/** A table with its caption and one row of column headings (th scope="col"); its rows are the children. */
import type { ComponentChildren } from 'preact';

export function DataTable({ class: className, caption, columns, children }: { class: string; caption: ComponentChildren; columns: readonly string[]; children: ComponentChildren }) {
  return (
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
}
