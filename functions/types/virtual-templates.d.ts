/** Generated per Lambda bundle by infra/build/templates.ts (see functions/channels/template-store.lambda.ts). */
declare module 'virtual:maatwerk-templates' {
  export const FILES: Readonly<Record<string, string>>;
  export const COMPILED: Readonly<Record<string, TemplateSpecification>>;
}
