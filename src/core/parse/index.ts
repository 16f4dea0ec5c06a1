// Video parsing core: pure TypeScript, no DOM and no Node APIs (runs in a Web Worker and in Node).
export type { Descriptors, FrameSequence, ParseOptions, ParseResult, Storyboard, Transition } from './types.ts';
export { ParseError } from './errors.ts';
export { parseFrames, DEFAULT_OPTIONS } from './parse.ts';
export { composeCaption } from './caption.ts';
export { storyboardTags, globalTags, moodScores, energyScore } from './tags.ts';
