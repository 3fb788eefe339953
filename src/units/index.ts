export { formatBytes, formatCpu } from './format.js';
export { parseCpu, parseMemory } from './parse.js';
