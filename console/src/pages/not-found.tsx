/** A hash route the console does not know; `followUp`: a follow-up route whose id is neither a whole id nor a short one (nothing was sent). */
export function NotFoundPage({ followUp = false }: { followUp?: boolean }) {
  if (followUp) {
    return (
      <>
        <h1 tabIndex={-1}>No such follow-up</h1>
        <p>
          A follow-up's address takes its whole id, or the short id the lists show; this one has neither, and nothing was looked up. Go to the <a href="#/worklist">worklist</a>.
        </p>
      </>
    );
  }
  return (
    <>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is no such page. Go to the <a href="#/worklist">worklist</a>.
      </p>
    </>
  );
}
