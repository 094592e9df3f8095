/**
 * Atlas lineage over a catalog's adjacency index. Data flows dataset -> process -> dataset (from
 * Process inputs/outputs and the lineage relationship types), plus direct dataset -> dataset edges
 * (`direct_lineage_dataset_dataset`). As in Apache Atlas, `depth` counts dataset-to-dataset hops
 * (a hop through a process is one level), a negative depth is unlimited and 0 returns the entity
 * alone. Relations are reported in data-flow direction (`fromEntityId` upstream).
 */
import type { AccountCatalog, EntityRecord, LineageEdge } from './catalog';
import { guidNotFound, invalidParams } from './errors';

export type Direction = 'INPUT' | 'OUTPUT' | 'BOTH';

export function parseDirection(v: string | null): Direction {
  const d = (v ?? '').toUpperCase();
  if (d !== 'INPUT' && d !== 'OUTPUT' && d !== 'BOTH') {
    throw invalidParams(`direction must be INPUT, OUTPUT or BOTH; got '${v ?? ''}'`);
  }
  return d;
}

export function parseDepth(v: string | null, fallback = 3): number {
  if (v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) {
    throw invalidParams(`depth must be an integer; got '${v}'`);
  }
  return n;
}

interface Collector {
  nodes: Set<string>;
  relations: Map<string, { fromEntityId: string; toEntityId: string; relationshipId: string }>;
}

function addRelation(c: Collector, e: LineageEdge): void {
  const key = `${e.from}>${e.to}`;
  if (!c.relations.has(key)) {
    c.relations.set(key, { fromEntityId: e.from, toEntityId: e.to, relationshipId: e.id });
  }
  c.nodes.add(e.from);
  c.nodes.add(e.to);
}

/** Edges leaving `guid` in the traversal direction, with the neighbour on the far side. */
function* step(cat: AccountCatalog, guid: string, upstream: boolean): Generator<{ edge: LineageEdge; next: string }> {
  const ids = upstream ? cat.inEdges.get(guid) : cat.outEdges.get(guid);
  if (!ids) return;
  for (const id of ids) {
    const edge = cat.edges.get(id);
    if (edge) yield { edge, next: upstream ? edge.from : edge.to };
  }
}

function traverse(cat: AccountCatalog, base: EntityRecord, upstream: boolean, depth: number, c: Collector): void {
  const visited = new Set<string>([base.guid]);
  let frontier: string[] = [];
  let level = 0;
  if (cat.isProcess(base)) {
    if (depth === 0) return;
    for (const { edge, next } of step(cat, base.guid, upstream)) {
      addRelation(c, edge);
      if (!visited.has(next)) {
        visited.add(next);
        frontier.push(next);
      }
    }
    level = 1;
  } else {
    frontier = [base.guid];
  }
  while (frontier.length > 0 && (depth < 0 || level < depth)) {
    const nextFrontier: string[] = [];
    for (const ds of frontier) {
      for (const { edge, next } of step(cat, ds, upstream)) {
        addRelation(c, edge);
        if (cat.isProcess(cat.entities.get(next))) {
          for (const hop of step(cat, next, upstream)) {
            addRelation(c, hop.edge);
            if (!visited.has(hop.next)) {
              visited.add(hop.next);
              nextFrontier.push(hop.next);
            }
          }
        } else if (!visited.has(next)) {
          visited.add(next);
          nextFrontier.push(next);
        }
      }
    }
    frontier = nextFrontier;
    level++;
  }
}

function degree(cat: AccountCatalog, guid: string, upstream: boolean): number {
  return (upstream ? cat.inEdges.get(guid)?.size : cat.outEdges.get(guid)?.size) ?? 0;
}

function lineageInfo(cat: AccountCatalog, base: EntityRecord, direction: Direction, depth: number, c: Collector, width: number) {
  c.nodes.add(base.guid);
  const guidEntityMap: Record<string, ReturnType<AccountCatalog['header']>> = {};
  const widthCounts: Record<string, Record<string, number>> = { INPUT: {}, OUTPUT: {} };
  for (const g of c.nodes) {
    const rec = cat.entities.get(g);
    if (!rec) continue;
    guidEntityMap[g] = cat.header(rec);
    widthCounts.INPUT[g] = degree(cat, g, true);
    widthCounts.OUTPUT[g] = degree(cat, g, false);
  }
  const childrenCount = direction === 'INPUT' ? degree(cat, base.guid, true) : direction === 'OUTPUT' ? degree(cat, base.guid, false) : degree(cat, base.guid, true) + degree(cat, base.guid, false);
  return {
    baseEntityGuid: base.guid,
    lineageDirection: direction,
    lineageDepth: depth,
    lineageWidth: width,
    childrenCount,
    guidEntityMap,
    widthCounts,
    relations: [...c.relations.values()],
    parentRelations: [] as unknown[],
  };
}

/** GET /atlas/v2/lineage/{guid} */
export function getLineage(cat: AccountCatalog, guid: string, direction: Direction, depth: number, width = -1) {
  const base = cat.get(guid);
  if (!base) {
    throw guidNotFound(guid);
  }
  const c: Collector = { nodes: new Set(), relations: new Map() };
  if (direction === 'INPUT' || direction === 'BOTH') traverse(cat, base, true, depth, c);
  if (direction === 'OUTPUT' || direction === 'BOTH') traverse(cat, base, false, depth, c);
  return lineageInfo(cat, base, direction, depth, c, width);
}

/** GET /lineage/{guid}/next: one page of the entity's direct neighbours in one direction. */
export function nextPage(cat: AccountCatalog, guid: string, direction: Direction, offset: number, limit: number) {
  const base = cat.get(guid);
  if (!base) {
    throw guidNotFound(guid);
  }
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1) {
    throw invalidParams('offset must be >= 0 and limit >= 1');
  }
  const edges: LineageEdge[] = [];
  if (direction !== 'OUTPUT') for (const { edge } of step(cat, base.guid, true)) edges.push(edge);
  if (direction !== 'INPUT') for (const { edge } of step(cat, base.guid, false)) edges.push(edge);
  edges.sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1));
  const c: Collector = { nodes: new Set(), relations: new Map() };
  for (const e of edges.slice(offset, offset + limit)) addRelation(c, e);
  return lineageInfo(cat, base, direction, 1, c, limit);
}
