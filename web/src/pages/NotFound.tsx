import { Link } from "react-router";

export function NotFound() {
  return (
    <section className="card narrow">
      <h1>Page not found</h1>
      <p className="muted">There is nothing at this address.</p>
      <Link to="/">Go to the start page</Link>
    </section>
  );
}
