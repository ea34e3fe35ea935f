/** JSON value types shared by ports that store or ship plain data. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
