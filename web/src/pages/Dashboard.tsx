import { Link } from "react-router";
import type { User } from "@authsvc/client";
import { useAuth } from "../auth/AuthProvider";
import { errorMessage } from "../auth/errors";
import { Address, FormError } from "../components/Form";
import { Loading } from "../components/Layout";

/** The welcome page. Which view shows is decided by the role stored server-side (GET session/). */
export function Dashboard() {
  const { client } = useAuth();
  // better-auth's useSession(): the user from GET session/ (the restore's answer, or loaded once
  // after a sign-in), so the role shown is the one the server holds.
  const { data, error } = client.useSession();
  const user = data?.user;

  if (error) return <FormError message={errorMessage(error)} />;
  if (!user) return <Loading label="Loading your dashboard…" />;

  return (
    <section className="stack">
      <div className="card">
        <h1>Welcome, {user.name || user.email}!</h1>
        <p className="muted signed-in-as">
          <span>
            Signed in as <Address email={user.email} />
          </span>
          <span className={`badge badge-${user.role}`}>{roleLabel(user.role)}</span>
        </p>
        {!user.emailVerified && (
          <div className="alert alert-warning" role="status">
            {justSignedUp(user) ? (
              <>
                We emailed you a code to verify your address.{" "}
                <Link to="/verify-email" state={{ codeSent: true }}>
                  Enter the code
                </Link>
              </>
            ) : (
              <>
                Your email is not verified yet. <Link to="/verify-email">Verify it now</Link>
              </>
            )}
          </div>
        )}
      </div>
      {user.role === "teacher" ? <TeacherView /> : <StudentView />}
    </section>
  );
}

/** Signed up within a code's lifetime (5 minutes): the code mailed at sign-up still works. */
function justSignedUp(user: User) {
  return Date.now() - Date.parse(user.createdAt) < 5 * 60_000;
}

function roleLabel(role: User["role"]) {
  return role === "teacher" ? "Teacher" : "Student";
}

function TeacherView() {
  return (
    <div className="card" data-testid="teacher-view">
      <h2>Teacher dashboard</h2>
      <div className="tiles">
        <div className="tile">
          <h3>Your classes</h3>
          <p className="muted">Create a class and invite your students.</p>
        </div>
        <div className="tile">
          <h3>Assignments to grade</h3>
          <p className="muted">Nothing waiting for you.</p>
        </div>
        <div className="tile">
          <h3>Announcements</h3>
          <p className="muted">Post news for all your classes.</p>
        </div>
      </div>
    </div>
  );
}

function StudentView() {
  return (
    <div className="card" data-testid="student-view">
      <h2>Student dashboard</h2>
      <div className="tiles">
        <div className="tile">
          <h3>Your courses</h3>
          <p className="muted">Join a class with the code from your teacher.</p>
        </div>
        <div className="tile">
          <h3>Due soon</h3>
          <p className="muted">No assignments due.</p>
        </div>
        <div className="tile">
          <h3>Grades</h3>
          <p className="muted">Your grades appear here.</p>
        </div>
      </div>
    </div>
  );
}
