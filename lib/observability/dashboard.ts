/**
 * A time series panel of a dashboard, on the dashboard's `datasource` variable. Panels fill a grid of two columns in
 * the order of their ids, from 1.
 */
export function timeseriesPanel(id: number, title: string, expr: string, legend: string, unit = 'short'): object {
  return {
    id,
    type: 'timeseries',
    title,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { x: ((id - 1) % 2) * 12, y: Math.floor((id - 1) / 2) * 8, w: 12, h: 8 },
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: [{ refId: 'A', expr, legendFormat: legend }],
  };
}

export interface GrafanaDashboardModelProps {
  readonly title: string;
  /** Cut to 40 characters, the most Grafana keeps of a uid. */
  readonly uid: string;
  readonly tags: readonly string[];
  readonly panels: readonly object[];
}

/** A Grafana dashboard model over the last 6 hours, with a `datasource` variable for the Prometheus to read. */
export function grafanaDashboardModel(props: GrafanaDashboardModelProps): object {
  return {
    title: props.title,
    uid: props.uid.slice(0, 40),
    tags: props.tags,
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus' }] },
    panels: props.panels,
  };
}
