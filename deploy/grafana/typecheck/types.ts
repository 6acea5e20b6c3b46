// The types the dashboards must satisfy: Grafana's published Dashboard schema, with two adjustments that JSON needs.
import type { AnnotationQuery, Dashboard, DataQuery } from '@grafana/schema';

/** Enum-typed fields accept their string values: JSON cannot name a TypeScript enum member. */
export type Literalize<T> = T extends string
  ? `${T}`
  : T extends readonly (infer E)[]
    ? Literalize<E>[]
    : T extends object
      ? { [K in keyof T]: Literalize<T[K]> }
      : T;

/** A query of Grafana's InfluxDB data source in InfluxQL mode, as our panels and annotations write it. */
export interface InfluxQlQuery extends DataQuery {
  query: string;
  rawQuery: true;
  resultFormat?: 'time_series' | 'table' | 'logs';
  alias?: string;
}

export type TributaryDashboard = Literalize<Omit<Dashboard, 'annotations'>> & {
  annotations?: { list?: Literalize<AnnotationQuery<InfluxQlQuery>>[] };
};
