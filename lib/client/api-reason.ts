// RabbitMQ's `reason` as its own UI shows it: the API sends some reasons HTML-escaped
// (`&lt;&lt;"x"&gt;&gt; is not a valid maximum length`) because its UI inserts them as HTML. The
// console shows them as text, so the entities are decoded here and nothing is ever parsed as HTML.
const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&amp;': '&' };

export function reasonText(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return raw.replace(/&(lt|gt|quot|#39|amp);/g, (m) => ENTITIES[m] ?? m).trim();
}
