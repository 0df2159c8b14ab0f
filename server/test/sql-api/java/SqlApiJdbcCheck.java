import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Properties;

/**
 * pgjdbc against the SQL API: lists tables and columns through DatabaseMetaData, then runs a
 * prepared statement more than five times (pgjdbc switches to a named, binary statement after
 * prepareThreshold = 5 executions). Prints one line per fact for the calling test to compare.
 */
public class SqlApiJdbcCheck {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.setProperty("user", args[1]);
    props.setProperty("password", args[2]);
    try (Connection conn = DriverManager.getConnection(args[0], props)) {
      DatabaseMetaData meta = conn.getMetaData();
      try (ResultSet rs = meta.getTables(null, "public", "%", new String[] {"TABLE"})) {
        while (rs.next()) System.out.println("TABLE " + rs.getString("TABLE_NAME") + " " + rs.getString("REMARKS"));
      }
      try (ResultSet rs = meta.getColumns(null, "public", "orders", "%")) {
        while (rs.next()) System.out.println("COLUMN " + rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME"));
      }
      String sql = "select status, measure(count) as n, sum(total_amount) as t from orders where city = ? and amount > ? group by 1 order by 1";
      try (PreparedStatement ps = conn.prepareStatement(sql)) {
        for (int run = 1; run <= 7; run++) {
          ps.setString(1, "Recife");
          ps.setDouble(2, 500.0);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) System.out.println("ROW " + run + " " + rs.getString(1) + " " + rs.getLong(2) + " " + rs.getDouble(3));
          }
        }
      }
      try (PreparedStatement ps = conn.prepareStatement("select date_trunc('month', created_at) as m, measure(count) as n from orders where status = 'paid' group by 1 order by 1 limit 2")) {
        for (int run = 1; run <= 6; run++) {
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) System.out.println("MONTH " + run + " " + rs.getTimestamp(1).toLocalDateTime().toLocalDate() + " " + rs.getLong(2));
          }
        }
      }
    }
  }
}
