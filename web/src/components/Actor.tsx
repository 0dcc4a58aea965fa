/** Who did something: the token's subject (or `cli:USER`) and, as a badge, the role. */
export function Actor({ actor, role }: { actor: string; role: string }) {
  return (
    <>
      {actor} <span className="badge text-bg-light border">{role}</span>
    </>
  );
}
