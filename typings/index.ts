/**
 * The shared contract between the mini-program and the cloud functions: for every function,
 * its actions with request and response types. Both sides import these types, so they cannot
 * drift. Types only: the mini-program package cannot load runtime code from outside its root.
 */
import type { LoginActions } from './login';
import type { NoticeActions } from './notice';
import type { OrgActions } from './org';
import type { ProposalActions } from './proposal';
import type { RoomActions } from './room';
import type { SetupActions } from './setup';
import type { Result } from './result';

export type { AppError, Result } from './result';
export type { ErrorCode, CommonErrorCode, AccountErrorCode, OrgErrorCode, NoticeErrorCode, RoomErrorCode, ProposalErrorCode } from './errors';
export type * from './account';
export type * from './org';
export type * from './notice';
export type * from './room';
export type * from './proposal';
export type { LoginActions, WhoamiResponse } from './login';
export type { SetupActions, EnsureCollectionsResponse, IndexToCreate } from './setup';

/** Every deployable function and its actions. Feature issues add their functions here. */
export interface FunctionContracts {
  login: LoginActions;
  org: OrgActions;
  notice: NoticeActions;
  room: RoomActions;
  proposal: ProposalActions;
  setup: SetupActions;
}

export type FunctionName = keyof FunctionContracts;
export type ActionName<F extends FunctionName> = keyof FunctionContracts[F] & string;

type ActionSpec = { request: unknown; response: unknown };
type Spec<F extends FunctionName, A extends ActionName<F>> = FunctionContracts[F][A] extends ActionSpec
  ? FunctionContracts[F][A]
  : never;

export type RequestOf<F extends FunctionName, A extends ActionName<F>> = Spec<F, A>['request'];
export type ResponseOf<F extends FunctionName, A extends ActionName<F>> = Spec<F, A>['response'];

/** The event a function receives: the action and its request fields side by side. */
/** Whether a request type declares an `action` field (an empty request's index signature does not count). */
type NamesAction<R> = string extends keyof R ? false : 'action' extends keyof R ? true : false;
/** Requests whose fields include `action`, which the event's own `action` would overwrite. */
type RequestsNamingAction = {
  [F in FunctionName]: { [A in ActionName<F>]: NamesAction<RequestOf<F, A>> extends true ? `${F}.${A}` : never }[ActionName<F>];
}[FunctionName];
type MustBeNever<T extends never> = T;
/** Fails to compile when a request declares a field named `action`. */
export type NoRequestFieldNamedAction = MustBeNever<RequestsNamingAction>;

export type EventOf<F extends FunctionName, A extends ActionName<F>> = { action: A } & RequestOf<F, A>;
export type ResultOf<F extends FunctionName, A extends ActionName<F>> = Result<ResponseOf<F, A>>;
