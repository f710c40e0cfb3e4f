export { LiveIndicator } from './live-indicator';
export { LiveProvider } from './live-provider';
