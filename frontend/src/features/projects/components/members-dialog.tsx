import {
  INVITABLE_ROLES,
  PROJECT_ROLES,
  type CreatedInvitation,
  type InvitableRole,
  type Member,
  type Project,
  type ProjectRole,
} from '@primo/api/contract/wire';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { Button } from '../../../components/ui/button';
import { Dialog } from '../../../components/ui/dialog';
import { controlClass, Field } from '../../../components/ui/field';
import { useToast } from '../../../components/ui/toast-context';
import { ApiError } from '../../../lib/api-client';
import { describeError } from '../../../lib/describe-error';
import { formatDue } from '../../../lib/due-date';
import { useAuth } from '../../auth';
import {
  createInvitation,
  invitationLink,
  removeMember,
  revokeInvitation,
  setMemberRole,
} from '../api/project-changes.api';
import { listInvitations, projectKeys } from '../api/projects.api';
import { refreshProjectViews, useMembers, useProjects } from '../api/use-projects';
import { PROJECT_GONE, ROLE_LABELS } from '../project-options';

const headingClass = 'mb-2 font-bold';

/** What an invited person may do, beside the role picker of the invite form. */
const INVITE_ROLE_HINTS: Record<InvitableRole, string> = {
  editor: 'adds and changes tasks',
  viewer: 'reads tasks only',
};
const article = (role: ProjectRole) => (role === 'viewer' ? 'a viewer' : `an ${role}`);

/** A yes/no question in place of the button that asked it; focus starts on the safe answer. */
function Confirm({
  question,
  confirmLabel,
  busy,
  onConfirm,
  onCancel,
}: {
  question: string;
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelRef.current?.focus(), []);
  return (
    <div className="flex w-full flex-wrap items-center gap-2 rounded-sm bg-warning-bg p-2">
      <p className="flex-1 text-sm">{question}</p>
      <Button size="small" ref={cancelRef} onClick={onCancel}>
        Cancel
      </Button>
      <Button size="small" variant="danger" onClick={onConfirm} disabled={busy}>
        {confirmLabel}
      </Button>
    </div>
  );
}

/** The invite link of a new invitation, shown once, with a Copy button and a selectable field to fall back on. */
function InviteLink({ invitation }: { invitation: CreatedInvitation }) {
  const link = invitationLink(invitation.token);
  const fieldRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState('');
  useEffect(() => {
    fieldRef.current?.focus();
    fieldRef.current?.select();
  }, []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied('Link copied.');
    } catch {
      fieldRef.current?.focus();
      fieldRef.current?.select();
      setCopied('Copying is not available here. The link is selected: press Ctrl+C (⌘C on a Mac) to copy it.');
    }
  };

  return (
    <div className="flex flex-col gap-2 rounded-md border border-success bg-success-bg p-3" data-invite-link>
      <p className="font-semibold">
        Invitation for {invitation.email} as {article(invitation.role)} created.
      </p>
      <Field
        label="Invite link"
        hint={`This link is shown only once: copy it now and send it to ${invitation.email}. It works once, until ${formatDue(invitation.expiresAt)}, and only for that address.`}
      >
        <input ref={fieldRef} readOnly value={link} onFocus={(event) => event.target.select()} />
      </Field>
      <div className="flex flex-wrap items-center gap-3">
        <Button variant="primary" size="small" onClick={() => void copy()}>
          Copy link
        </Button>
        <p role="status" className="text-sm">
          {copied}
        </p>
      </div>
    </div>
  );
}

type Pending = { kind: 'remove' | 'leave'; member: Member } | null;

/** Members with their roles, pending invitations and the invite form of one project. */
export function MembersDialog({ project: opened, onClose }: { project: Project; onClose: () => void }) {
  const client = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const me = useAuth().user?.id;
  const project = useProjects().byId.get(opened.id) ?? opened;
  const owner = project.role === 'owner';
  const members = useMembers(project.id, true);
  const invitations = useQuery({
    queryKey: projectKeys.invitations(project.id),
    queryFn: ({ signal }) => listInvitations(project.id, signal),
    enabled: owner && !project.personal,
    refetchOnMount: 'always',
  });
  const [problem, setProblem] = useState<string | null>(null);
  const [news, setNews] = useState('');
  const [pending, setPending] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);
  const [focusAfter, setFocusAfter] = useState<string | null>(null);
  const baseId = useId();
  const actionId = (userId: string) => `${baseId}-action-${userId}`;

  useEffect(() => {
    if (focusAfter) document.getElementById(focusAfter)?.focus();
  }, [focusAfter]);

  /** Runs one change; its failure (the last owner, a role that no longer allows it) is said in the alert. */
  const change = async (work: () => Promise<string | void>, { tasks = false } = {}) => {
    setBusy(true);
    setProblem(null);
    setNews('');
    try {
      const done = await work();
      if (done) setNews(done);
      await refreshProjectViews(client, { tasks });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
        void refreshProjectViews(client, { tasks: true });
      }
      setProblem(
        error instanceof ApiError && error.status === 404 && error.problem?.detail?.startsWith('No project')
          ? PROJECT_GONE
          : describeError(error),
      );
    } finally {
      setBusy(false);
    }
  };

  const cancel = (member: Member) => {
    setPending(null);
    setFocusAfter(actionId(member.user.id));
  };

  const leave = () =>
    void change(
      async () => {
        if (!me) return;
        await removeMember(project.id, me);
        toast.show({ tone: 'success', message: `You left “${project.name}”.` });
        onClose();
        navigate('/tasks', { replace: true });
      },
      { tasks: true },
    );

  const remove = (member: Member) =>
    void change(
      async () => {
        await removeMember(project.id, member.user.id);
        setPending(null);
        return `${member.user.name} was removed from the project.`;
      },
      { tasks: true },
    );

  const row = (member: Member): ReactNode => {
    const self = member.user.id === me;
    const asking = pending?.member.user.id === member.user.id ? pending : null;
    return (
      <li key={member.user.id} className="flex flex-wrap items-center gap-x-3 gap-y-2 py-2">
        <div className="min-w-0 flex-[1_1_12rem]">
          <p className="truncate font-medium">
            {member.user.name}
            {self && ' (you)'}
          </p>
          <p className="truncate text-sm text-muted">{member.user.email}</p>
        </div>
        {owner ? (
          <select
            aria-label={`Role of ${member.user.name}`}
            className={`${controlClass} max-w-32`}
            value={member.role}
            disabled={busy}
            onChange={(event) => {
              const role = event.target.value as ProjectRole;
              void change(async () => {
                await setMemberRole(project.id, member.user.id, role);
                return `${self ? 'You are' : `${member.user.name} is`} now ${article(role)}.`;
              });
            }}
          >
            {PROJECT_ROLES.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </select>
        ) : (
          <span className="text-sm font-semibold">{ROLE_LABELS[member.role]}</span>
        )}
        {asking ? (
          <Confirm
            question={
              asking.kind === 'leave'
                ? `Leave “${project.name}”? You lose access to its tasks until someone invites you again.`
                : `Remove ${member.user.name} from “${project.name}”? Tasks assigned to them become unassigned.`
            }
            confirmLabel={asking.kind === 'leave' ? 'Leave project' : 'Remove'}
            busy={busy}
            onConfirm={() => (asking.kind === 'leave' ? leave() : remove(member))}
            onCancel={() => cancel(member)}
          />
        ) : self ? (
          <Button
            id={actionId(member.user.id)}
            size="small"
            className="min-w-20"
            onClick={() => setPending({ kind: 'leave', member })}
          >
            Leave
          </Button>
        ) : (
          owner && (
            <Button
              id={actionId(member.user.id)}
              size="small"
              variant="danger"
              className="min-w-20"
              aria-label={`Remove ${member.user.name}`}
              onClick={() => setPending({ kind: 'remove', member })}
            >
              Remove
            </Button>
          )
        )}
      </li>
    );
  };

  return (
    <Dialog title={`Members of ${project.name}`} onClose={onClose}>
      <div className="flex flex-col gap-5">
        {!owner && (
          <p className="text-sm text-muted">
            You are {article(project.role)} here. Only an owner can change roles, remove members and invite people.
          </p>
        )}
        {problem && (
          <p className="rounded-sm border-l-4 border-danger bg-danger-bg p-3" role="alert">
            {problem}
          </p>
        )}
        <p role="status" className={news ? 'rounded-sm bg-info-bg p-3' : 'sr-only'}>
          {news}
        </p>
        <section aria-labelledby={`${baseId}-members`}>
          <h3 id={`${baseId}-members`} className={headingClass}>
            Members{members.data ? ` (${members.data.length})` : ''}
          </h3>
          {members.isPending ? (
            <p className="text-muted">Loading members…</p>
          ) : members.isError ? (
            <div role="alert" className="flex flex-col items-start gap-2">
              <p>The members could not be loaded. {describeError(members.error)}</p>
              <Button size="small" onClick={() => void members.refetch()}>
                Retry
              </Button>
            </div>
          ) : (
            <ul className="divide-y divide-border">{members.data.map(row)}</ul>
          )}
        </section>
        {owner && !project.personal && (
          <>
            <section aria-labelledby={`${baseId}-invitations`}>
              <h3 id={`${baseId}-invitations`} className={headingClass}>
                Pending invitations
              </h3>
              {invitations.isPending ? (
                <p className="text-muted">Loading invitations…</p>
              ) : invitations.isError ? (
                <div role="alert" className="flex flex-col items-start gap-2">
                  <p>The invitations could not be loaded. {describeError(invitations.error)}</p>
                  <Button size="small" onClick={() => void invitations.refetch()}>
                    Retry
                  </Button>
                </div>
              ) : invitations.data.length === 0 ? (
                <p className="text-muted">No pending invitations.</p>
              ) : (
                <ul className="divide-y divide-border">
                  {invitations.data.map((invitation) => (
                    <li key={invitation.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2">
                      <div className="min-w-0 flex-[1_1_12rem]">
                        <p className="truncate font-medium">{invitation.email}</p>
                        <p className="text-sm text-muted">
                          {ROLE_LABELS[invitation.role]}, until {formatDue(invitation.expiresAt)}
                        </p>
                      </div>
                      <Button
                        size="small"
                        variant="danger"
                        disabled={busy}
                        aria-label={`Revoke the invitation for ${invitation.email}`}
                        onClick={() =>
                          void change(async () => {
                            await revokeInvitation(project.id, invitation.id);
                            return `The invitation for ${invitation.email} was revoked; its link no longer works.`;
                          })
                        }
                      >
                        Revoke
                      </Button>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <InviteForm project={project} />
          </>
        )}
      </div>
    </Dialog>
  );
}

/** Invite by email with a role; the answer's link is shown once. */
function InviteForm({ project }: { project: Project }) {
  const client = useQueryClient();
  const headingId = useId();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<InvitableRole>('editor');
  const [errors, setErrors] = useState<{ form?: string; fields: Record<string, string> }>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedInvitation | null>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setErrors({ fields: {} });
    setCreated(null);
    try {
      setCreated(await createInvitation(project.id, { email, role }));
      setEmail('');
      await client.invalidateQueries({ queryKey: projectKeys.invitations(project.id) });
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors : {};
      if (Object.keys(fields).length > 0) setErrors({ fields });
      else if (error instanceof ApiError && error.status === 409) setErrors({ fields: { email: error.message } });
      else setErrors({ form: describeError(error), fields: {} });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby={headingId} className="flex flex-col gap-3">
      <h3 id={headingId} className="font-bold">
        Invite someone
      </h3>
      <form className="grid grid-cols-[1fr_auto] items-start gap-3 max-sm:grid-cols-1" onSubmit={onSubmit} noValidate>
        <Field label="Email" error={errors.fields.email}>
          <input
            type="email"
            name="email"
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field label="Role" error={errors.fields.role}>
          <select name="role" value={role} onChange={(event) => setRole(event.target.value as InvitableRole)}>
            {INVITABLE_ROLES.map((value) => (
              <option key={value} value={value}>
                {ROLE_LABELS[value]}: {INVITE_ROLE_HINTS[value]}
              </option>
            ))}
          </select>
        </Field>
        {errors.form && (
          <p className="col-span-full text-sm font-medium text-danger" role="alert">
            {errors.form}
          </p>
        )}
        <Button type="submit" variant="primary" className="col-span-full justify-self-start" disabled={busy}>
          {busy ? 'Creating link…' : 'Create invite link'}
        </Button>
      </form>
      {created && <InviteLink invitation={created} />}
    </section>
  );
}
