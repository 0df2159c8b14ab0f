/**
 * The queries whose SQL is kept as golden files, one per dialect, over Cube's corpus model.
 * Each exercises one planner feature; reviews read the SQL diffs.
 */
import type { CubeQuery } from '../../src/query/query-types.ts';

export const GOLDEN_QUERIES: Readonly<Record<string, CubeQuery>> = {
  'dimensions-order-limit': { dimensions: ['Customers.customerId', 'Customers.customerName'], order: { 'Customers.customerName': 'asc' }, limit: 10, offset: 5 },
  'filters-every-text-operator': {
    dimensions: ['Customers.customerName'],
    filters: [
      { member: 'Customers.customerName', operator: 'contains', values: ['us', 'om'] },
      { member: 'Customers.customerName', operator: 'notContains', values: ['x'] },
      { member: 'Customers.customerId', operator: 'startsWith', values: ['A'] },
      { member: 'Customers.customerId', operator: 'notEndsWith', values: ['0'] },
      { member: 'Customers.customerId', operator: 'notEquals', values: ['AH-10465', 'AJ-10780'] },
    ],
  },
  // `%`, `_` and the escape character `!` in values match themselves: escaped, with ESCAPE '!'.
  'filters-like-wildcards-escaped': {
    dimensions: ['Customers.customerName'],
    filters: [
      { member: 'Customers.customerName', operator: 'contains', values: ['100%', 'a_b'] },
      { member: 'Customers.customerName', operator: 'notStartsWith', values: ['!x'] },
      { member: 'Customers.customerId', operator: 'endsWith', values: ['_%!'] },
    ],
  },
  'time-month-timezone': {
    measures: ['ECommerce.totalSales', 'ECommerce.count'],
    timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'month', dateRange: ['2020-01-01', '2020-06-30'] }],
    timezone: 'America/Sao_Paulo',
  },
  'nested-and-or-having': {
    dimensions: ['ECommerce.city'],
    measures: ['ECommerce.count', 'ECommerce.avgDiscount'],
    filters: [
      { or: [{ member: 'ECommerce.sales', operator: 'gt', values: ['100'] }, { and: [{ member: 'ECommerce.quantity', operator: 'gte', values: ['3'] }, { member: 'ECommerce.city', operator: 'set' }] }] },
      { member: 'ECommerce.count', operator: 'gte', values: ['2'] },
    ],
  },
  'no-fan-out-multiplied-cube': {
    dimensions: ['Customers.customerName'],
    measures: ['Customers.count', 'ECommerce.totalQuantity'],
    order: { 'Customers.customerName': 'asc' },
  },
  'rolling-window-trailing': {
    measures: ['BigECommerce.rollingCountBy2Month', 'BigECommerce.totalSales'],
    timeDimensions: [{ dimension: 'BigECommerce.orderDate', granularity: 'month', dateRange: ['2020-01-01', '2020-04-30'] }],
  },
  'rolling-window-to-date-approx': {
    measures: ['BigECommerce.rollingCountYTD', 'BigECommerce.countApproxByCustomer'],
    timeDimensions: [{ dimension: 'BigECommerce.orderDate', granularity: 'quarter', dateRange: ['2020-01-01', '2020-12-31'] }],
  },
  'custom-granularity': {
    measures: ['ECommerce.count'],
    timeDimensions: [{ dimension: 'ECommerce.customOrderDateNoPreAgg', granularity: 'two_mo_by_feb', dateRange: ['2020-01-01', '2020-12-31'] }],
  },
  'date-operators-ungrouped': {
    measures: ['ECommerce.totalProfit'],
    dimensions: ['ECommerce.orderId'],
    filters: [
      { member: 'ECommerce.orderDate', operator: 'afterOrOnDate', values: ['2020-03-01'] },
      { member: 'ECommerce.completedDate', operator: 'notInDateRange', values: ['2020-05-01', '2020-05-31'] },
      { member: 'ECommerce.orderDate', operator: 'beforeDate', values: ['2020-12-01'] },
    ],
    ungrouped: true,
  },
  'multi-stage-window': {
    measures: ['BigECommerce.totalProfit', 'BigECommerce.percentageOfTotalForStatus', 'BigECommerce.totalProfitForQuarter'],
    dimensions: ['BigECommerce.category'],
    timeDimensions: [{ dimension: 'BigECommerce.orderDate', granularity: 'month', dateRange: ['2020-01-01', '2020-12-31'] }],
  },
  'ungrouped-count': {
    measures: ['ECommerce.count', 'ECommerce.totalSales'],
    dimensions: ['ECommerce.orderId'],
    ungrouped: true,
  },
  'time-shift-and-total': {
    measures: ['BigECommerce.totalProfitYearAgo', 'BigECommerce.totalProfit'],
    timeDimensions: [{ dimension: 'BigECommerce.orderDate', granularity: 'week', dateRange: ['2020-01-01', '2020-02-29'] }],
  },
};
