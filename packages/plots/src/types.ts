// Input types shared by several plots.

/** A labelled horizontal reference, e.g. the true λ of an analytic target. */
export interface ReferenceLine {
  readonly value: number;
  readonly label: string;
}

/** Size and thinning options every plot accepts. */
export interface PlotSize {
  /** SVG width in px (default 720). */
  readonly width?: number;
  /** SVG height in px (default 420). */
  readonly height?: number;
}

export interface Thinning {
  /** Max points drawn per line before striding kicks in (default 2000). */
  readonly maxPoints?: number;
}
