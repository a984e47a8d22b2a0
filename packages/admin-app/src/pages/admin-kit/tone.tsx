import { Group, Text } from '@mantine/core';
import type { CSSProperties, ReactNode } from 'react';

/** A Mantine colour name with an optional shade (`green`, `green.9`): its name alone. */
const hueOf = (tone: string) => tone.split('.')[0] ?? tone;

/** Shade 9 of the hue; orange's and green's are short of AA on their light grounds, so darker ones. */
const darker: Record<string, string> = { orange: '#9c3a0d', green: '#1d6b2e' };
const textOf = (tone: string) => darker[hueOf(tone)] ?? `var(--mantine-color-${hueOf(tone)}-9)`;

/** The text colour of a light alert darkened to AA contrast (Mantine's light variant writes in shade 6). */
export const toneStyle = (tone: string, part: '--alert-color') => ({ [part]: textOf(tone) }) as CSSProperties;

/**
 * A state or role as a coloured dot and its word in the text colour: the colour helps the eye,
 * the word carries the meaning, and the contrast is the page's own (a light badge's translucent
 * ground falls below AA, and below an open dialog's overlay even more).
 */
export function ToneBadge({
  tone,
  children,
  tabIndex,
}: {
  tone: string;
  children: ReactNode;
  tabIndex?: number;
}) {
  return (
    <Group gap={6} wrap="nowrap" component="span" tabIndex={tabIndex} style={{ display: 'inline-flex' }}>
      <span
        aria-hidden
        style={{ width: 8, height: 8, borderRadius: 4, background: textOf(tone), flex: 'none' }}
      />
      <Text span size="sm" fw={500} style={{ textTransform: 'capitalize' }}>
        {children}
      </Text>
    </Group>
  );
}
