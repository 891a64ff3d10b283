'use client';
import { useEffect, useId } from 'react';
import { useVhosts } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';

export function VhostSwitcher() {
  const vhost = useSession((s) => s.vhost);
  const setVhost = useSession((s) => s.setVhost);
  const { data } = useVhosts();
  const id = useId();
  // a user without access to the remembered vhost starts on the first one they may see
  useEffect(() => {
    if (data && data.length > 0 && !data.some((v) => v.name === vhost)) setVhost(data[0].name);
  }, [data, vhost, setVhost]);
  const names = data?.map((v) => v.name) ?? [];
  if (!names.includes(vhost)) names.unshift(vhost);
  return (
    <div className="vhost-switcher">
      <label htmlFor={id}>vhost</label>
      <select id={id} value={vhost} onChange={(e) => setVhost(e.target.value)}>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </div>
  );
}
