// d3-node ships no types and @types/d3 is not installed, so this declares
// only the slice of d3-node / d3 that the plotting modules use. Keep it narrow:
// anything not listed here is deliberately unused.
declare module 'd3-node' {
  export type AttrValue = string | number | null;

  /** A d3 selection of a single SVG element, built by appending children. */
  export interface Selection {
    attr(name: string, value: AttrValue): Selection;
    append(name: string): Selection;
    text(value: string): Selection;
    node(): unknown;
  }

  export interface LinearScale {
    (value: number): number;
    domain(): [number, number];
    domain(d: readonly [number, number]): LinearScale;
    range(r: readonly [number, number]): LinearScale;
    nice(count?: number): LinearScale;
    ticks(count?: number): number[];
    tickFormat(count?: number, specifier?: string): (n: number) => string;
  }

  export interface PointScale {
    (value: string): number | undefined;
    domain(d: readonly string[]): PointScale;
    range(r: readonly [number, number]): PointScale;
    padding(p: number): PointScale;
    step(): number;
  }

  export interface LineGenerator<T> {
    (data: readonly T[]): string | null;
    x(f: (d: T) => number): LineGenerator<T>;
    y(f: (d: T) => number): LineGenerator<T>;
    defined(f: (d: T) => boolean): LineGenerator<T>;
    digits(n: number): LineGenerator<T>;
  }

  export interface AreaGenerator<T> {
    (data: readonly T[]): string | null;
    x(f: (d: T) => number): AreaGenerator<T>;
    y0(f: (d: T) => number): AreaGenerator<T>;
    y1(f: (d: T) => number): AreaGenerator<T>;
    defined(f: (d: T) => boolean): AreaGenerator<T>;
    digits(n: number): AreaGenerator<T>;
  }

  export interface D3 {
    scaleLinear(): LinearScale;
    /** Base-10 log scale; same call/domain/range/ticks shape as a linear one. */
    scaleLog(): LinearScale;
    scalePoint(): PointScale;
    line<T>(): LineGenerator<T>;
    area<T>(): AreaGenerator<T>;
    format(specifier: string): (n: number) => string;
  }

  export interface D3NodeOptions {
    selector?: string;
    container?: string;
    styles?: string;
  }

  export class D3Node {
    constructor(options?: D3NodeOptions);
    readonly d3: D3;
    createSVG(width?: number, height?: number, attrs?: Record<string, AttrValue>): Selection;
    svgString(): string;
  }
}
