/** What every member compiler (compile-members.ts, member-options.ts) needs to know about its cube. */
export interface CubeInfo {
  readonly name: string;
  readonly title: string;
  readonly calendar: boolean;
}
