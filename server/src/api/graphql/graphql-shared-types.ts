/**
 * The model-independent types of Cube's GraphQL schema, with Cube's names and fields so clients
 * written against Cube's schema validate here: `DateTime`, the filter inputs per member type
 * (`FloatFilter`, `StringFilter`, `DateTimeFilter`), the `OrderBy` enum and `TimeDimension`
 * (`value` plus one field per granularity).
 * https://cube.dev/docs/product/apis-integrations/graphql-api/reference
 */
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLString,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';
import type { GraphqlMember } from './graphql-members.ts';
import { GRANULARITY_FIELDS } from './graphql-selection.ts';

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO-8601 instant in UTC, e.g. 2024-05-13T00:00:00.000Z',
  serialize: (value) => value,
  parseValue: (value) => value,
});

const stringList = new GraphQLList(GraphQLString);
const floatList = new GraphQLList(GraphQLFloat);

const FloatFilter = new GraphQLInputObjectType({
  name: 'FloatFilter',
  fields: {
    equals: { type: GraphQLFloat },
    notEquals: { type: GraphQLFloat },
    in: { type: floatList },
    notIn: { type: floatList },
    set: { type: GraphQLBoolean },
    gt: { type: GraphQLFloat },
    lt: { type: GraphQLFloat },
    gte: { type: GraphQLFloat },
    lte: { type: GraphQLFloat },
  },
});

const StringFilter = new GraphQLInputObjectType({
  name: 'StringFilter',
  fields: {
    equals: { type: GraphQLString },
    notEquals: { type: GraphQLString },
    ...Object.fromEntries(['in', 'notIn', 'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith'].map((op) => [op, { type: stringList }])),
    set: { type: GraphQLBoolean },
  },
});

const DateTimeFilter = new GraphQLInputObjectType({
  name: 'DateTimeFilter',
  fields: {
    ...Object.fromEntries(['equals', 'notEquals', 'in', 'notIn'].map((op) => [op, { type: stringList }])),
    inDateRange: { type: stringList, description: 'Two dates ["2024-01-01", "2024-01-31"] or one relative range ["last 7 days"]' },
    notInDateRange: { type: stringList, description: 'Two dates or one relative range' },
    ...Object.fromEntries(['beforeDate', 'beforeOrOnDate', 'afterDate', 'afterOrOnDate'].map((op) => [op, { type: GraphQLString }])),
    set: { type: GraphQLBoolean },
  },
});

export const OrderBy = new GraphQLEnumType({ name: 'OrderBy', values: { asc: { value: 'asc' }, desc: { value: 'desc' } } });

export const TimeDimension = new GraphQLObjectType({
  name: 'TimeDimension',
  fields: Object.fromEntries(['value', ...GRANULARITY_FIELDS].map((g) => [g, { type: DateTime }])),
});

/** Cube exposes numeric members as Float and every other non-time type (boolean, geo) as String. */
function isNumeric(member: GraphqlMember): boolean {
  return member.type !== 'time' && member.type !== 'string' && member.type !== 'boolean' && member.type !== 'geo';
}

export function memberOutputType(member: GraphqlMember, isMeasure: boolean): GraphQLOutputType {
  if (member.type === 'time') return isMeasure ? DateTime : TimeDimension;
  return isNumeric(member) ? GraphQLFloat : GraphQLString;
}

export function memberFilterType(member: GraphqlMember): GraphQLInputType {
  if (member.type === 'time') return DateTimeFilter;
  return isNumeric(member) ? FloatFilter : StringFilter;
}
