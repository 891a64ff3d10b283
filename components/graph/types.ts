// Node and edge components by type, at module scope so React Flow never sees a new object.
import type { EdgeTypes, NodeTypes } from '@xyflow/react';
import { BindingEdgeComponent } from './edges/binding-edge';
import { ConsumeEdgeComponent } from './edges/consume-edge';
import { LinkEdgeComponent } from './edges/link-edge';
import { PublishEdgeComponent } from './edges/publish-edge';
import { ConsumerNodeComponent } from './nodes/consumer/consumer-node';
import { ExchangeNodeComponent } from './nodes/exchange/exchange-node';
import { ProducerNodeComponent } from './nodes/producer/producer-node';
import { QueueNodeComponent } from './nodes/queue/queue-node';
import { QueueGroupNodeComponent } from './nodes/queue-group/queue-group-node';

export const nodeTypes = {
  exchange: ExchangeNodeComponent,
  queue: QueueNodeComponent,
  consumer: ConsumerNodeComponent,
  producer: ProducerNodeComponent,
  queues: QueueGroupNodeComponent,
} satisfies NodeTypes;

export const edgeTypes = {
  binding: BindingEdgeComponent,
  consume: ConsumeEdgeComponent,
  link: LinkEdgeComponent,
  publish: PublishEdgeComponent,
} satisfies EdgeTypes;
