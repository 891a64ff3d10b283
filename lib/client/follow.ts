// Starting a message's journey from anywhere in the console (an exchange's menu, the Consume list,
// a flow dot): the journey store learns what is followed, the server is asked to follow it
// completely, and the side panel shows the journey.
import { useJourney, type JourneyTarget } from './journey-store';
import { usePanel } from './panel-store';
import { liveClient } from './use-live';

export function followMessage(target: JourneyTarget): void {
  useJourney.getState().start(target);
  liveClient().send(target.kind === 'next' ? { type: 'follow', exchange: target.exchange } : { type: 'follow', flowId: target.flowId });
  usePanel.getState().open('journey');
}
