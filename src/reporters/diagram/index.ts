// The sequence diagram in the format its file name asks for: .html, .svg, .mmd or .md.
import { renderHtml } from "./html.js";
import { renderMermaid, renderMermaidMarkdown } from "./mermaid.js";
import { renderSvg } from "./svg.js";
import type { DiagramInput } from "./types.js";

export type { DiagramInput } from "./types.js";

export type DiagramFormat = "html" | "svg" | "mermaid" | "markdown";

const BY_EXTENSION: Record<string, DiagramFormat> = {
  html: "html",
  htm: "html",
  svg: "svg",
  mmd: "mermaid",
  md: "markdown",
};

/** The format for a --diagram file name, or null (the caller says which extensions work). */
export function diagramFormat(file: string): DiagramFormat | null {
  const ext = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase() ?? "";
  return BY_EXTENSION[ext] ?? null;
}

export const DIAGRAM_EXTENSIONS = Object.keys(BY_EXTENSION).map((e) => `.${e}`);

export function renderDiagram(input: DiagramInput, format: DiagramFormat): string {
  if (format === "html") return renderHtml(input);
  if (format === "svg") return renderSvg(input);
  if (format === "mermaid") return renderMermaid(input);
  return renderMermaidMarkdown(input);
}
