/** A hash route the console does not know. */
export function NotFoundPage() {
  return (
    <>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is no such page. Go to the <a href="#/worklist">worklist</a>.
      </p>
    </>
  );
}
