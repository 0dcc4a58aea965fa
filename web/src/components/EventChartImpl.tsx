// Chart.js, with only the parts a stacked bar chart needs registered.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';
import type { EventChartProps } from './EventChart';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export default function EventChartImpl({ label, steps, names }: EventChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | null>(null);

  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: 'bar',
      data: { labels: [], datasets: [] },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { stacked: true, ticks: { autoSkip: true, maxTicksLimit: 8 } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  // New numbers update the chart in place (every refresh), without a new canvas.
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = steps.map((s) => s.label);
    c.data.datasets = [
      { label: names[0], data: steps.map((s) => s.good), backgroundColor: '#198754' },
      { label: names[1], data: steps.map((s) => s.bad), backgroundColor: '#dc3545' },
    ];
    c.update();
  }, [steps, names]);

  return (
    <div style={{ position: 'relative', height: '12rem' }}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
