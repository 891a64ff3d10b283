// Small line icons, 16 px on a 16 grid, drawn with currentColor. Decorative: aria-hidden.
import type { ReactNode, SVGProps } from 'react';

function Icon({ children, size = 16, ...rest }: { children: ReactNode; size?: number } & SVGProps<SVGSVGElement>) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.5}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      {children}
    </svg>
  );
}

type P = { size?: number; className?: string };

export const SearchIcon = (p: P) => (
  <Icon {...p}>
    <circle cx="7" cy="7" r="4.25" />
    <path d="M10.2 10.2L13.5 13.5" />
  </Icon>
);
export const PlusIcon = (p: P) => (
  <Icon {...p}>
    <path d="M8 3v10M3 8h10" />
  </Icon>
);
export const TrashIcon = (p: P) => (
  <Icon {...p}>
    <path d="M2.5 4.5h11M6.5 4.5V3h3v1.5M4 4.5l.7 8.5h6.6l.7-8.5M6.8 7v4M9.2 7v4" />
  </Icon>
);
export const PauseIcon = (p: P) => (
  <Icon {...p}>
    <path d="M5.5 3.5v9M10.5 3.5v9" />
  </Icon>
);
export const PlayIcon = (p: P) => (
  <Icon {...p}>
    <path d="M5 3.2v9.6L12.5 8z" fill="currentColor" stroke="none" />
  </Icon>
);
export const FitIcon = (p: P) => (
  <Icon {...p}>
    <path d="M2.5 6V2.5H6M10 2.5h3.5V6M13.5 10v3.5H10M6 13.5H2.5V10" />
  </Icon>
);
export const LayoutIcon = (p: P) => (
  <Icon {...p}>
    <rect x="2" y="2.5" width="4" height="3" rx="0.8" />
    <rect x="10" y="2.5" width="4" height="3" rx="0.8" />
    <rect x="10" y="10.5" width="4" height="3" rx="0.8" />
    <path d="M6 4h4M8 4v8h2" />
  </Icon>
);
export const SendIcon = (p: P) => (
  <Icon {...p}>
    <path d="M2.5 8l11-5-4 11-2-4.5z" />
    <path d="M7.5 9.5l6-6.5" />
  </Icon>
);
export const InboxIcon = (p: P) => (
  <Icon {...p}>
    <path d="M2.5 9.5l1.8-6h7.4l1.8 6v3.5h-11z" />
    <path d="M2.5 9.5h3l1 1.5h3l1-1.5h3" />
  </Icon>
);
export const EyeIcon = (p: P) => (
  <Icon {...p}>
    <path d="M1.5 8s2.5-4.5 6.5-4.5S14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8z" />
    <circle cx="8" cy="8" r="1.8" />
  </Icon>
);
export const DownloadIcon = (p: P) => (
  <Icon {...p}>
    <path d="M8 2.5v8M4.5 7L8 10.5 11.5 7M3 13.5h10" />
  </Icon>
);
export const EraseIcon = (p: P) => (
  <Icon {...p}>
    <path d="M6 13.5h7.5M3 10l5.5-6.5 4 3.5L8 13.5H5.5z" />
  </Icon>
);
export const ChevronDownIcon = (p: P) => (
  <Icon {...p}>
    <path d="M4 6l4 4 4-4" />
  </Icon>
);
export const LogoutIcon = (p: P) => (
  <Icon {...p}>
    <path d="M6.5 2.5h-3v11h3M10 5l3 3-3 3M13 8H6.5" />
  </Icon>
);
export const MoreIcon = (p: P) => (
  <Icon {...p}>
    <circle cx="3.5" cy="8" r="0.9" fill="currentColor" />
    <circle cx="8" cy="8" r="0.9" fill="currentColor" />
    <circle cx="12.5" cy="8" r="0.9" fill="currentColor" />
  </Icon>
);
export const LinkIcon = (p: P) => (
  <Icon {...p}>
    <path d="M6.5 9.5l3-3M7 4.5l1.2-1.2a2.5 2.5 0 013.5 3.5L10.5 8M9 11.5l-1.2 1.2a2.5 2.5 0 01-3.5-3.5L5.5 8" />
  </Icon>
);
export const ExchangeIcon = (p: P) => (
  <Icon {...p}>
    <circle cx="3.5" cy="8" r="1.6" />
    <path d="M5 8h2.5M7.5 8L12 3.8M7.5 8H12M7.5 8L12 12.2" />
    <circle cx="12.8" cy="3.5" r="1" fill="currentColor" />
    <circle cx="12.8" cy="8" r="1" fill="currentColor" />
    <circle cx="12.8" cy="12.5" r="1" fill="currentColor" />
  </Icon>
);
export const QueueIcon = (p: P) => (
  <Icon {...p}>
    <rect x="2" y="4" width="12" height="8" rx="1.5" />
    <path d="M5.5 4v8M8.5 4v8M11.5 4v8" />
  </Icon>
);
export const ConsumerIcon = (p: P) => (
  <Icon {...p}>
    <rect x="2" y="3" width="12" height="10" rx="1.8" />
    <path d="M4.8 6.5L6.8 8l-2 1.5M8.5 10h2.8" />
  </Icon>
);
export const GraphIcon = (p: P) => (
  <Icon {...p}>
    <circle cx="3.5" cy="8" r="1.7" />
    <circle cx="12.5" cy="4" r="1.7" />
    <circle cx="12.5" cy="12" r="1.7" />
    <path d="M5.1 7.3l5.8-2.6M5.1 8.7l5.8 2.6" />
  </Icon>
);
export const ChartIcon = (p: P) => (
  <Icon {...p}>
    <path d="M2.5 13.5h11M3.5 11l3-4 2.5 2 4-5" />
  </Icon>
);
export const TableIcon = (p: P) => (
  <Icon {...p}>
    <rect x="2" y="3" width="12" height="10" rx="1.5" />
    <path d="M2 6.5h12M2 9.8h12M6 6.5V13" />
  </Icon>
);
export const CheckIcon = (p: P) => (
  <Icon {...p}>
    <path d="M3 8.5l3 3 7-7" />
  </Icon>
);
export const XIcon = (p: P) => (
  <Icon {...p}>
    <path d="M4 4l8 8M12 4l-8 8" />
  </Icon>
);
export const RequeueIcon = (p: P) => (
  <Icon {...p}>
    <path d="M12.5 6A5 5 0 003.6 5.2M3.5 2.5v3h3M3.5 10a5 5 0 008.9.8M12.5 13.5v-3h-3" />
  </Icon>
);
export const SaveIcon = (p: P) => (
  <Icon {...p}>
    <path d="M3 2.5h8l2.5 2.5v8.5H3z" />
    <path d="M5.5 2.5v3h4.5v-3M5.5 13.5V9.5h5v4" />
  </Icon>
);
export const CopyIcon = (p: P) => (
  <Icon {...p}>
    <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
    <path d="M10.5 5.5V3.5a1 1 0 00-1-1h-6a1 1 0 00-1 1v6a1 1 0 001 1h2" />
  </Icon>
);
