/** A project's colour as a small dot beside its name; a project without a colour gets an empty ring. */
export function ProjectDot({ color }: { color: string | null }) {
  return (
    <span
      className="inline-block size-2.5 shrink-0 rounded-full border border-border"
      style={color ? { backgroundColor: color, borderColor: color } : undefined}
      aria-hidden="true"
    />
  );
}
