// @hyperjump/json-schema/formats registers its format validators when imported and ships no type declarations.
declare module '@hyperjump/json-schema/formats';
