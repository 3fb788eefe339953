import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Catalog } from '../matcher/catalog.js';
import type { Rejection } from '../types.js';

/**
 * The server's Prometheus metrics (`GET /metrics`), in a registry of its own: RPCs by method and
 * status code with their latency, the catalog's size and generation, placements and rejections
 * (by code and by reason), leases held, expired and confirmed, and watch subscribers.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly rpcs: Counter<'method' | 'code'>;
  private readonly latency: Histogram<'method'>;
  private readonly placements: Counter<'strategy'>;
  private readonly rejections: Counter<'code'>;
  private readonly rejectionReasons: Counter<'reason'>;
  readonly leasesExpired: Counter;
  readonly leasesConfirmed: Counter;
  private leasesHeld = 0;
  private subscribers = 0;

  constructor(catalog: () => Catalog, generation: () => number) {
    const registers = [this.registry];
    this.rpcs = new Counter({ name: 'capmatch_rpc_requests_total', help: 'RPCs served, by method and status code.', labelNames: ['method', 'code'], registers });
    this.latency = new Histogram({
      name: 'capmatch_rpc_duration_seconds',
      help: 'Time to answer an RPC, by method.',
      labelNames: ['method'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    new Gauge({ name: 'capmatch_catalog_runners', help: 'Runners in the catalog.', registers, collect() { this.set(catalog().size); } });
    new Gauge({ name: 'capmatch_catalog_profiles', help: 'Profiles in the catalog.', registers, collect() { this.set(catalog().countProfiles()); } });
    new Gauge({ name: 'capmatch_catalog_generation', help: 'Batches applied to the catalog.', registers, collect() { this.set(catalog().generation); } });
    new Gauge({ name: 'capmatch_server_generation', help: 'Events (batches and lease events) the server has recorded.', registers, collect() { this.set(generation()); } });
    this.placements = new Counter({ name: 'capmatch_placements_total', help: 'Successful placements, by strategy.', labelNames: ['strategy'], registers });
    this.rejections = new Counter({ name: 'capmatch_rejections_total', help: 'Rejected placements, by code.', labelNames: ['code'], registers });
    this.rejectionReasons = new Counter({ name: 'capmatch_rejection_reasons_total', help: 'Runners excluded in rejected placements, by reason (every reason of every runner).', labelNames: ['reason'], registers });
    const self = this;
    new Gauge({ name: 'capmatch_leases_held', help: 'Leases held now.', registers, collect() { this.set(self.leasesHeld); } });
    this.leasesExpired = new Counter({ name: 'capmatch_leases_expired_total', help: 'Leases that expired.', registers });
    this.leasesConfirmed = new Counter({ name: 'capmatch_leases_confirmed_total', help: 'Leases confirmed as running sandboxes.', registers });
    new Gauge({ name: 'capmatch_watch_subscribers', help: 'WatchChanges streams open now.', registers, collect() { this.set(self.subscribers); } });
  }

  rpc(method: string, code: string, seconds: number): void {
    this.rpcs.inc({ method, code });
    this.latency.observe({ method }, seconds);
  }

  placed(strategy: string): void {
    this.placements.inc({ strategy });
  }

  rejected(r: Rejection): void {
    this.rejections.inc({ code: r.code });
    for (const [reason, n] of Object.entries(r.reasons)) if (n > 0) this.rejectionReasons.inc({ reason }, n);
  }

  setLeasesHeld(n: number): void {
    this.leasesHeld = n;
  }

  watchers(delta: 1 | -1): void {
    this.subscribers += delta;
  }
}
