import { lazy, Suspense } from 'react';

export interface EventChartProps {
  /** Accessible name, e.g. "jobs-succeed: good and bad events per 15 minutes". */
  label: string;
  /** Per step, oldest first: its label and its good and bad events. */
  steps: { label: string; good: number; bad: number }[];
  /** What the events are, in the legend: ["succeeded or invalid", "failed"]. */
  names: [good: string, bad: string];
}

// Chart.js is loaded on first use.
const Impl = lazy(() => import('./EventChartImpl'));

/** Good and bad events per step as stacked bars, with the numbers as a table under a disclosure. */
export function EventChart(props: EventChartProps) {
  return (
    <figure className="mb-0">
      <Suspense fallback={<p aria-busy="true">Loading chart…</p>}>
        <Impl {...props} />
      </Suspense>
      <details className="small mt-1">
        <summary>Numbers</summary>
        <table className="table table-sm mb-0">
          <caption className="visually-hidden">{props.label}</caption>
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col" className="text-end">
                {props.names[0]}
              </th>
              <th scope="col" className="text-end">
                {props.names[1]}
              </th>
            </tr>
          </thead>
          <tbody>
            {props.steps
              .filter((s) => s.good + s.bad > 0)
              .map((s) => (
                <tr key={s.label}>
                  <td>{s.label}</td>
                  <td className="text-end">{s.good.toLocaleString('en-US')}</td>
                  <td className="text-end">{s.bad.toLocaleString('en-US')}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
