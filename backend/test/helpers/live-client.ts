import { io, type Socket } from 'socket.io-client';
import { expect } from 'vitest';
import type { Change } from '../../src/changes/changes.schemas.js';

/* Live-delivery test clients: HTTP calls to a server process and Socket.IO clients that keep their events. */

export interface Account {
  id: string;
  email: string;
  token: string;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function api<T>(
  base: string,
  method: string,
  route: string,
  token: string | null,
  body?: object,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}/api/v1${route}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

export async function register(base: string, name: string): Promise<Account> {
  const email = `${name.toLowerCase()}-${Date.now()}-${Math.random()}@example.test`;
  const res = await api<{ user: { id: string }; accessToken: string }>(base, 'POST', '/auth/register', null, {
    email,
    name,
    password: 'correct horse battery',
  });
  expect(res.status).toBe(201);
  return { id: res.body.user.id, email, token: res.body.accessToken };
}

/** A connected client that keeps every change it receives. */
export async function connect(base: string, token: string): Promise<{ socket: Socket; changes: Change[] }> {
  const socket = io(base, { path: '/socket.io/', transports: ['websocket'], auth: { token }, reconnection: false });
  const changes: Change[] = [];
  socket.on('change', (change: Change) => changes.push(change));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  // The server joins the rooms right after the handshake; give it that moment.
  await sleep(100);
  return { socket, changes };
}

export async function refusal(base: string, token: string): Promise<string> {
  const socket = io(base, { path: '/socket.io/', transports: ['websocket'], auth: { token }, reconnection: false });
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.once('connect', () => reject(new Error('the connection was accepted')));
      socket.once('connect_error', (error) => resolve(error.message));
    });
  } finally {
    socket.close();
  }
}

export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}
