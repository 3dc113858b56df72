// citation-js ships no type declarations: the part of its API the reading room uses.
declare module '@citation-js/core' {
  export class Cite {
    constructor(data: object | object[]);
    format(format: string, options?: Record<string, unknown>): string;
  }
  export const plugins: {
    config: {
      get(plugin: string): {
        templates?: { add(name: string, xml: string): void; has(name: string): boolean };
      };
    };
  };
}
declare module '@citation-js/plugin-csl';
