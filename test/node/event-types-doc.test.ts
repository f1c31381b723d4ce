import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { eventTypeDefinitions } from '../../events/types';

const eventsPage = readFileSync(resolve(import.meta.dirname, '..', '..', 'docs', 'events.md'), 'utf8');

/** Types named in the first column of the event type table of docs/events.md. */
function documentedTypes(): string[] {
  const section = eventsPage.slice(eventsPage.indexOf('## Event types'), eventsPage.indexOf('## Hash'));
  return [...section.matchAll(/^\| `([a-z.]+)` \|/gm)].map((match) => match[1]!);
}

describe('docs/events.md', () => {
  it('lists every event type once', () => {
    const catalogue = eventTypeDefinitions.map(([type]) => type);
    expect([...documentedTypes()].sort()).toEqual([...catalogue].sort());
  });

  it('states the current schema version', () => {
    const versions = new Set(eventTypeDefinitions.map(([, definition]) => definition.schemaVersion));
    expect([...versions]).toEqual([1]);
    expect(eventsPage).toContain('All types are at `schemaVersion` 1.');
  });
});
