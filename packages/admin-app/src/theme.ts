import { type CSSVariablesResolver, createTheme, type MantineColorsTuple } from '@mantine/core';

/** Odoo's aubergine, from light to dark; shade 7 is Odoo's own #714B67. */
const odoo: MantineColorsTuple = [
  '#f7f0f5',
  '#ebdde7',
  '#d8bccf',
  '#c499b6',
  '#b27ba1',
  '#a66a94',
  '#8f5a80',
  '#714b67',
  '#5e3e56',
  '#4a3044',
];

/**
 * Mantine's grays with shade 6 darkened: shade 6 is the "dimmed" text colour, and Mantine's own
 * (#868e96) falls short of WCAG AA contrast on white.
 */
const gray: MantineColorsTuple = [
  '#f8f9fa',
  '#f1f3f5',
  '#e9ecef',
  '#dee2e6',
  '#ced4da',
  '#adb5bd',
  '#5f666d',
  '#495057',
  '#343a40',
  '#212529',
];

export const theme = createTheme({
  primaryColor: 'odoo',
  primaryShade: { light: 7, dark: 6 },
  colors: { odoo, gray },
  fontFamily:
    'Inter, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: { fontWeight: '650' },
  defaultRadius: 'md',
  cursorType: 'pointer',
  focusRing: 'auto',
  components: {
    Badge: { defaultProps: { radius: 'sm' } },
    Table: { defaultProps: { verticalSpacing: 'sm', highlightOnHover: true } },
    Paper: { defaultProps: { withBorder: true, radius: 'md' } },
    // Mantine's close buttons are an icon alone: every dialog's, drawer's and notice's gets a name.
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    Drawer: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    Notification: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    CloseButton: { defaultProps: { 'aria-label': 'Close' } },
  },
});

/**
 * Error red at WCAG AA contrast in both schemes: Mantine writes field errors, required marks and
 * a light red alert's text in red.6 on white (3.3:1) and errors in red.8 on the dark ground (3.4:1).
 * Red.9 on white is 5.5:1, red.4 on dark.7 is 6.7:1. Dimmed text likewise in the dark scheme.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-error': 'var(--mantine-color-red-9)',
    '--mantine-color-red-light-color': 'var(--mantine-color-red-9)',
  },
  dark: {
    '--mantine-color-error': 'var(--mantine-color-red-4)',
    // Mantine's dimmed text on dark (dark.2, #828282) is 4.0:1 on its own ground; this is 6.4:1.
    '--mantine-color-dimmed': '#a3a3a3',
  },
});
